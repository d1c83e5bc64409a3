"""The spam folder: what the bot checks kept, for a person to release or for 30 days."""
