"""Pure-Python core: models, storage, API client, settings and secrets. No Qt here."""
