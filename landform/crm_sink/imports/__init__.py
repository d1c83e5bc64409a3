"""Importing contacts and companies from a CSV file (a marketer moving from another CRM)."""
