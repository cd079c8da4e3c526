"""The process: settings, the Starlette app, the ASGI factory, the CLI, and the database lifecycle
(engine, embedded PostgreSQL, migrations). Knows HTTP; knows nothing of domain rules."""
