"""The opportunity lifecycle: activating, moving through stages, closing, and the quotes and orders
linked to an opportunity."""
