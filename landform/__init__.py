"""Landform: multi-tenant lead capture (hosted landing pages, embeddable forms, the CRM they feed)."""
