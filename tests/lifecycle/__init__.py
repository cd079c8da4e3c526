"""Stage moves, closes, quotes and orders, and their concurrency."""
