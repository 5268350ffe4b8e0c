"""API routers, one module per capability (`/api/<capability>/…`)."""
