"""SMS through Twilio: the signed webhook in, TwiML replies, and the REST sender for the outbox."""
