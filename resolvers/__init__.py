"""How each field and mutation is answered: loaders, list queries, use cases. Knows SQL, not GraphQL."""
