"""Shared by every topic: the compute device, background jobs, and the URL codec for settings."""
