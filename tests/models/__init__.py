"""The pure rules of models/, without a database."""
