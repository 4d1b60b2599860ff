"""Outreach: policy (who is due for what), the periodic sweep, and the outbox that sends."""
