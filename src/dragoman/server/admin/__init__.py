"""The gateway's own JSON routes behind the local key, one module per subject; the
CLI, the dashboard and scripts all use them."""
