"""A tenant's retention periods: how long it keeps each kind of personal data, and the daily job."""
