"""The grading run: the scoreboard plugin, checks, diagnoses, root causes, curves, reference."""
