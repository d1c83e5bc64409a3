"""Plumbing that knows no domain: settings, database, security, mail, HTTP, jobs."""
