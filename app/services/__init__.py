"""Business operations, one module per domain. Services flush; callers commit."""
