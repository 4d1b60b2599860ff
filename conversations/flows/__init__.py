"""The flows, one module each, every one a readable table of steps with its diagram."""
