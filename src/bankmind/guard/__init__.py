"""The guard: every model call passes here (principal, policy, PII masking, quotas, audit)."""
