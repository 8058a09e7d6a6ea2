"""What every console needs whatever it serves: settings, security, TLS, the uvicorn server and the
HTTP edge (middlewares in front of every route)."""
