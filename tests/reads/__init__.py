"""Reads through the GraphQL API: lookups, lists, nested pages, loaders, query counts."""
