"""The HTTP API: `routes/` (one module per area of the console), `deps.py` (the FastAPI dependencies
the routes share) and `bodies.py` (the request bodies)."""
