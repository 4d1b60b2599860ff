"""Case notes: drafted from each contact's facts, checked, and approved by the counselor."""
