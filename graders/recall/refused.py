"""The refusal of a recall command: said to the student, with nothing changed."""


class Refused(Exception):
    """A command that cannot be done as asked; nothing was changed."""
