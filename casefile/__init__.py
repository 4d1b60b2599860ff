"""The domain model of a Welfare-to-Work caseload and its storage (SQLAlchemy 2.x).

Knows nothing of channels' providers (Twilio, Telegram) or of the web: callers open sessions and
pass them in; the functions here never commit on their own.
"""
