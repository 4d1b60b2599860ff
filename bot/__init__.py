"""The running service: settings, the ASGI app, channel adapters and the command line."""
