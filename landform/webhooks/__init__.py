"""Outbound webhooks: signed events (contact created/updated, submission routed) to a tenant's own systems."""
