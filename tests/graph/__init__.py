"""The GraphQL contract: schema, names, descriptions."""
