"""Route modules of the device console (one per area of the original API)."""
