"""Tenants, users, roles, log-in, and API keys."""
