"""Seeing what dragoman does: logs (with secrets masked), what requests cost
(`prices` and `cost`), and later traces and metrics."""
