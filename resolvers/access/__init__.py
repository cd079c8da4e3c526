"""API keys, roles and who may do what (api.md §7.1)."""
