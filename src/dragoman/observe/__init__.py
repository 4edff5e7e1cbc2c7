"""Seeing what dragoman does: logs (with secrets masked), and later traces and metrics."""
