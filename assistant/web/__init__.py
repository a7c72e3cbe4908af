"""The HTTP adapter: FastAPI app, operations middleware, widget routes."""
