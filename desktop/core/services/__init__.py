"""The application flow, free of Qt: each service takes its collaborators (client source,
store, clock, sleep, timers) in its constructor and reports through an events object, so it can
be tested without a QApplication and without waiting on real time. The controllers adapt them
to Qt signals and timers."""
