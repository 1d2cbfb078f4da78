"""Rebuilding a tutorial from memory: the rebuild, its history, when the next is due."""
