"""The dialogue engine: a pure function from (participant, state, inbound text, clock) to replies,
the new state and facts. No I/O, no database: every flow is testable on its own.
"""
