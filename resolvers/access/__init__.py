"""Who may call the API: API keys (api.md §7.1), stored as hashes, managed from the CLI."""
