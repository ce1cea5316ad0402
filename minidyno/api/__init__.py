"""The FastAPI control plane: one router module per resource, token auth."""
