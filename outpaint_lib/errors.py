"""The one exception family the command line turns into a one-line message and exit code 1."""


class OutpaintError(Exception):
    """An error caused by the user's input (files, folders, settings), not by a bug."""
