"""Carrying out confirmed requests in the worker: the copy of a person's data, and erasure."""
