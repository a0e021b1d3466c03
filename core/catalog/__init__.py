"""Finding models: the registry of names, downloads, importing released checkpoints, loading."""
