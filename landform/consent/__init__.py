"""Consent: age checks, consent records, cookie preferences, and the privacy portal."""
