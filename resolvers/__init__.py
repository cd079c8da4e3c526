"""How each field and mutation is answered, by concern: reads/, writes/, lifecycle/, analytics/, demo/.
Knows SQL, not GraphQL."""
