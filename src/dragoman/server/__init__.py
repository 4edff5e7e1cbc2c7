"""The ASGI application: routes per client dialect, the relay pipeline, local auth."""
