"""The one exception family the command line turns into a one-line message and exit code 1.

Each module raises its own kind; all of them live here, so that a caller can see the whole
family in one place and catch any of it by its base class."""


class OutpaintError(Exception):
    """An error caused by the user's input (files, folders, settings), not by a bug."""


class ConfigError(OutpaintError, ValueError):
    """A configuration that cannot describe a run; the message names the offending keys."""


class DataError(OutpaintError, ValueError):
    """A dataset that cannot feed a run (missing, empty, too small)."""


class OutputError(OutpaintError):
    """An output path that cannot be written; the message says which and why, in one line."""


class CheckpointError(OutpaintError):
    """A checkpoint folder that is missing, incomplete or does not match its configuration."""


class ImageError(OutpaintError, ValueError):
    """An image that cannot be used. ``reason`` is a short category for grouped counts."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class NothingToPaint(OutpaintError):
    """No input held a file that could be an image."""


class TargetError(OutpaintError, ValueError):
    """A target that cannot be painted: malformed, already met, or too large."""


class TargetMet(TargetError):
    """A photo already as wide as the target: nothing to paint, which a batch skips."""


class TrainingError(OutpaintError):
    """A run that cannot start or continue; the message says why and what was kept."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C in a training run, after its checkpoint was written; the message says where a
    resume continues."""


class DistributionError(OutpaintError, ValueError):
    """A distribution that cannot be set up: its devices, its cluster or its batch split."""
