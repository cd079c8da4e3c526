"""The demo data generator and loader."""
