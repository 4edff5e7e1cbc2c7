"""Which upstream serves a model: the registry, aliases, and (later) account choice."""
