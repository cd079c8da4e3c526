"""Statistics, pipeline and performance analytics."""
