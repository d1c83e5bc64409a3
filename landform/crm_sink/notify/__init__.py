"""Telling people of a routed lead: its owner by e-mail (at once or in a digest), the team's chat channel."""
