"""Stored Responses: kept, read, continued, run in the background (issue 17)."""
