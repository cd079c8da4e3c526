"""Reads: lookups, lists with filters and orderings, keyset pagination, and the per-request loaders."""
