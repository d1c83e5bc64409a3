"""Save and resume: a visitor who ticks the box gets a signed link to finish a form later (issue 16.5)."""
