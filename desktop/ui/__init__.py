"""Widgets, dialogs and item models. They render state and emit intents; controllers act."""
