"""The sales pipeline: lifecycle stages, the tenant's deal stages, deals, the board, the forecast."""
