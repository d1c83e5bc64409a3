"""Working the CRM by hand: finding, editing, merging, de-duplicating and exporting contacts."""
