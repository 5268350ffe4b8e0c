"""Built-in model providers. Each module has a `register(registry)` hook, like a plugin would."""
