"""The dataset errors, one family so that the command line reports each as one line."""

from __future__ import annotations

from outpaint_lib.errors import OutpaintError


class DatasetError(OutpaintError):
    """A dataset problem the user can act on (unknown name, bad option, unusable folder)."""


class DownloadError(DatasetError):
    """The server could not be reached or refused the file; the partial download is kept."""


class ChecksumError(DatasetError):
    """A downloaded file is not the expected one; it has been deleted."""


class UnsafeArchiveError(DatasetError):
    """An archive entry would write outside its folder, or is a link or a device."""
