"""QObjects that wrap core services for Qt: signals and async slots, no widgets."""
