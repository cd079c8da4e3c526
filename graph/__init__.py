"""The API surface: Strawberry types, the root Query, the Starlette app, the CLI."""
