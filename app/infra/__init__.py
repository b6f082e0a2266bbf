"""Plumbing: configuration, database, login, security, errors, logging."""
