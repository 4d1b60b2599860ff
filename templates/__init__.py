"""Jinja2 templates: messages/<lang>/ for participants, notes/ for case notes, web/ for the console.

Data, not code: this module only says where the files are.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).parent
MESSAGES_DIR = TEMPLATES_DIR / "messages"
NOTES_DIR = TEMPLATES_DIR / "notes"
