"""The process: the HTTP app, the CLI, the embedded PostgreSQL."""
