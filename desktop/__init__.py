"""Confab: a native desktop client for OpenAI-compatible chat APIs."""

__version__ = "0.1.0"
APP_NAME = "Confab"
