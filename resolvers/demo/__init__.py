"""The demo data set: generated without I/O through the lifecycle rules, loaded with COPY."""
