"""The model's mechanisms: small compiled functions over the state arrays."""
