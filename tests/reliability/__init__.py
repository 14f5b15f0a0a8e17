"""Reliability tests: real gunicorn servers under concurrent load and injected faults."""
