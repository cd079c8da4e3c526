"""Figures built on the entries: Business Central's statistics, the pipeline, win rate, velocity
and stage conversion."""
