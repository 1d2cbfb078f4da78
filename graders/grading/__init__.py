"""The grading run itself: the scoreboard plugin, the checks, diagnoses, root-cause credit, curves and the reference."""
