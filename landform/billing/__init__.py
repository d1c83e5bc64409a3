"""Billing: plans, quotas and Stripe subscriptions."""
