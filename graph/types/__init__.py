"""Strawberry types, one file per concept."""
