"""Telegram: a thin adapter from the Bot API to the inbox; the flows stay in conversations/."""
