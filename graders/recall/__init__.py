"""Rebuilding a tutorial from memory, its history and when the next rebuild is due (python -m graders.recall)."""
