"""Roles: which mutation a role may run at all, and which rows a salesperson may write."""
