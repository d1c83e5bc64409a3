"""The sales pipeline: a contact's lifecycle stage, the tenant's deal stages, deals, the board and the forecast."""
