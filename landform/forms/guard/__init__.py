"""Defences of a form beyond the honeypot and the time trap: proof of work (ALTCHA)."""
