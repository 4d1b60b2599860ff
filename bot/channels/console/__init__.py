"""The console channel: a participant's side of the conversation in a terminal, or a replayed transcript."""
