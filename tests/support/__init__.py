"""Helpers the tests share: where PostgreSQL comes from, factories, builders, parallel clients."""
