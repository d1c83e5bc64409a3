"""The CRM: submissions routed by the worker into contacts and their timelines."""
