"""API keys (api.md §7.1)."""
