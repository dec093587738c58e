"""Names inside a dataset folder, shared by the downloader, the extractor and the listing.

``<to>/<name>/`` holds the extracted files, ``downloads/`` the verified archives (so that a
new category selection needs no new download) and ``manifest.json`` what was verified and
extracted.
"""

from __future__ import annotations

MANIFEST_NAME = "manifest.json"
DOWNLOADS_FOLDER = "downloads"
STAGING_PREFIX = ".extracting-"
# Top-level names an archive may not use: they would overwrite our own bookkeeping.
RESERVED_NAMES = frozenset({DOWNLOADS_FOLDER, MANIFEST_NAME})

# Downloads, digests and extraction all read and write in pieces of this size.
CHUNK_BYTES = 1 << 20
