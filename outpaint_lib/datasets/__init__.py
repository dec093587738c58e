"""Public datasets: fetch, verify and extract them into ``<to>/<name>/``.

Modules, in import order: ``errors``, ``layout`` -> ``registry`` -> ``archives`` -> ``fetching``
-> ``places365`` -> ``downloader``; ``outpaint_lib.preparation`` turns any image folder into
train/ and val/. Tables and settings (``registry.REGISTRY``, ``fetching.RETRY_DELAYS_SECONDS``)
are not re-exported, so that replacing one here fails loudly instead of silently doing nothing:
replace it in its own module.
"""

from outpaint_lib.datasets.archives import safe_member_path
from outpaint_lib.datasets.downloader import DatasetStatus, download, format_size, list_datasets
from outpaint_lib.datasets.errors import ChecksumError, DatasetError, DownloadError, UnsafeArchiveError
from outpaint_lib.datasets.fetching import file_digests
from outpaint_lib.datasets.places365 import category_folder_name, read_categories, read_labels
from outpaint_lib.datasets.registry import MIRROR_VARIABLE, Dataset, RemoteFile, apply_mirror, get_dataset, mirror_base

__all__ = [
    "MIRROR_VARIABLE",
    "ChecksumError",
    "Dataset",
    "DatasetError",
    "DatasetStatus",
    "DownloadError",
    "RemoteFile",
    "UnsafeArchiveError",
    "apply_mirror",
    "category_folder_name",
    "download",
    "file_digests",
    "format_size",
    "get_dataset",
    "list_datasets",
    "mirror_base",
    "read_categories",
    "read_labels",
    "safe_member_path",
]
