"""The GraphQL schema: Strawberry types, inputs, enums, the root Query and Mutation, the request context,
relay ids and error conversion. Knows GraphQL; turns domain errors into userErrors."""
