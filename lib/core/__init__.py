"""Shared by every topic: the compute device, the settings type (UrlParam), colour vision, one-thread settings."""
