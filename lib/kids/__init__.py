"""The Kids page: one module per story (hands, garden, spy, xrays)."""
