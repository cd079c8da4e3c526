"""Master-data mutations and the transaction helper."""
