"""Decoding photos as users have them into uint8 RGB arrays, or one clear reason why not.

Pillow does the decoding because it covers what real folders hold (EXIF rotation, CMYK JPEG,
palette and 16-bit PNG, WebP) and lets us read the header before the pixels, so that an image
too large for memory is refused before it is decoded.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from outpaint_lib.errors import ImageError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff")

# 50 megapixels decode to about 150 MB of RGB; a 6000 x 4000 camera photo is 24 MP.
DEFAULT_MAX_PIXELS = 50_000_000
MIN_SIDE = 8

# The first bytes of the formats in IMAGE_EXTENSIONS: a file that starts like one of them but
# that Pillow cannot open is a damaged image ("corrupt"), not some other kind of file.
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")

# Pillow's ImageFile.LOAD_TRUNCATED_IMAGES must stay False (its default): when set, truncated
# JPEGs and PNGs decode "successfully" with the missing part filled with grey. Never set it here.


def scan_files(folder: str | os.PathLike) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every file under ``folder``, searched recursively, in a stable order: the candidate
    images (an image extension, or none at all, as cameras and downloads sometimes leave
    them), and the others with the reason they are not read."""
    root = Path(folder)
    if not root.is_dir():
        raise ImageError("missing", f"image folder not found: {root}")
    candidates, others = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name.startswith("."):
            others.append((path, "hidden file"))
        elif path.suffix.lower() in IMAGE_EXTENSIONS or not path.suffix:
            candidates.append(path)
        else:
            others.append((path, f"not an image file ({path.suffix})"))
    return candidates, others


def find_images(folder: str | os.PathLike) -> list[Path]:
    """The candidate images under ``folder`` (see ``scan_files``)."""
    return scan_files(folder)[0]


def load_image(
    source: str | os.PathLike | bytes,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int = 1,
) -> np.ndarray:
    """Decode a file (or its bytes) to an H x W x 3 uint8 RGB array, upright.

    Transparent images are composited on white, the way a viewer shows them. Raises
    ``ImageError`` with a one-line message for anything that is not a usable image.
    """
    data = _read_bytes(source)
    try:
        with warnings.catch_warnings():
            # ``max_pixels`` below is the limit; Pillow's own warning (above MAX_IMAGE_PIXELS,
            # 89 MP) would otherwise refuse images the caller allowed, or just add noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    "too_large",
                    f"image is {width} x {height} = {width * height:,} pixels, more than the "
                    f"limit of {max_pixels:,} (max_pixels; paint --max-pixels)",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            array = _to_rgb(image)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        # Raised by Image.open, from the header alone, above twice Pillow's MAX_IMAGE_PIXELS.
        ceiling = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        limit = (
            f"the limit of {max_pixels:,} (max_pixels; paint --max-pixels)"
            if max_pixels < ceiling
            else "Pillow's safety limit"
        )
        raise ImageError("too_large", f"image has more than {ceiling:,} pixels, more than {limit}") from None
    except Image.UnidentifiedImageError:
        if data.startswith(_TIFF_SIGNATURES):
            # Pillow reads no 64-bit float or multi-channel float TIFF; OpenCV does.
            array = _decode_float_tiff(data, max_pixels)
        elif _has_image_signature(data):
            raise ImageError("corrupt", "corrupt or truncated image (unreadable header)") from None
        else:
            raise ImageError("not_an_image", "not a recognised image format") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ImageError("corrupt", f"corrupt or truncated image ({detail})") from None
    if min(array.shape[:2]) < min_side:
        raise ImageError(
            "too_small",
            f"image is {array.shape[1]} x {array.shape[0]}, smaller than {min_side} pixels on a side",
        )
    return array


_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*")


def _read_bytes(source: str | os.PathLike | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise ImageError("missing", "file not found") from None
        except IsADirectoryError:
            raise ImageError("unreadable", "is a directory, not an image") from None
        except OSError as error:
            raise ImageError("unreadable", f"cannot read file: {error.strerror}") from None
    if not data:
        raise ImageError("empty", "empty file (0 bytes)")
    return data


def _decode_float_tiff(data: bytes, max_pixels: int) -> np.ndarray:
    import cv2

    array = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if array is None:
        raise ImageError("corrupt", "corrupt or truncated image (unreadable header)")
    if array.shape[0] * array.shape[1] > max_pixels:
        raise ImageError(
            "too_large",
            f"image is {array.shape[1]} x {array.shape[0]} = {array.shape[0] * array.shape[1]:,} "
            f"pixels, more than the limit of {max_pixels:,} (max_pixels; paint --max-pixels)",
        )
    if array.ndim == 2:
        array = array[:, :, None]
    array = array[:, :, :3][:, :, ::-1] if array.shape[2] >= 3 else np.repeat(array[:, :, :1], 3, axis=2)
    return _to_uint8(array)


def _to_uint8(array: np.ndarray, bits: int | None = None) -> np.ndarray:
    """Samples of any numeric type as 0-255: floats as 0 to 1 (the convention of scientific and
    HDR tools), or as 0 to 255 when a value is above 1; integers by their bit depth (``bits``,
    by default their type's), rounded, never by the content, or a dark 16-bit image would be
    read as 8-bit."""
    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if np.issubdtype(array.dtype, np.floating):
        values = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
        scale = 255.0 if values.size and values.max() <= 1.0 else 1.0
        return np.ascontiguousarray(np.clip(np.round(values * scale), 0, 255).astype(np.uint8))
    top = 2 ** (bits or 8 * array.dtype.itemsize) - 1
    samples = array.astype(np.int64).clip(0, top)
    return np.ascontiguousarray(((samples * 510 + top) // (2 * top)).astype(np.uint8))


def _has_image_signature(data: bytes) -> bool:
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grayscale (older Pillow opens it as "I").
        wide = np.asarray(image).astype(np.int64).clip(0, 65535)
        gray = _to_uint8(wide, bits=16)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
        transparent = image.info.get("transparency")
        if isinstance(transparent, int):
            rgb[wide == transparent] = 255
        return rgb
    if image.mode == "F":  # 32-bit float grayscale
        return np.repeat(_to_uint8(np.asarray(image))[:, :, None], 3, axis=2)
    # Alpha channels, palette transparency and the tRNS colour key of RGB and L PNGs.
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def centre_square(image: np.ndarray) -> np.ndarray:
    """The largest centred square of an image."""
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image[top : top + side, left : left + side]


def load_square(path: str | os.PathLike | bytes, size: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode, centre-crop to a square and resize to ``size``."""
    return np.ascontiguousarray(resize(centre_square(load_image(path, max_pixels=max_pixels)), size, size))


def resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """The one resize rule of the project: the area filter when shrinking (no aliasing), bicubic
    when enlarging; an image already of that size is returned as it is."""
    import cv2

    if image.shape[1] == width and image.shape[0] == height:
        return image
    shrinking = width * height < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


# What ``encode_image`` writes for each file suffix, in Pillow's names.
ENCODINGS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


def encoding_for(suffix: str) -> str:
    """The format a file suffix names; an unknown one is an ``ImageError``, which callers can
    raise before their work rather than after it."""
    try:
        return ENCODINGS[suffix.lower()]
    except KeyError:
        known = ", ".join(ENCODINGS)
        raise ImageError(
            "unknown_format", f"cannot write a {suffix or 'suffix-less'} file: use one of {known}"
        ) from None


# PNG's fastest compression: photos barely compress further (a painted 640 x 318 beach photo:
# 278 KB at level 1, 279 KB at Pillow's default 6, which takes three times as long).
ENCODING_OPTIONS = {"JPEG": {"quality": 95}, "PNG": {"compress_level": 1}}


# The EXIF Software tag, which every format outpaint writes carries but BMP: how ``paint``
# tells its own earlier results, which it may replace, from a user's files, which it never does.
_SOFTWARE_TAG = 0x0131
MAKER = "outpaint"


def encode_image(image: np.ndarray, suffix: str, maker: str | None = None) -> bytes:
    """The bytes of a uint8 image, RGB (H x W x 3) or grey (H x W), in the format its file
    suffix names (JPEG at quality 95), so that a ``.jpg`` holds a JPEG; ``maker`` goes into
    the EXIF Software tag (see ``made_by``)."""
    encoding = encoding_for(suffix)
    options = dict(ENCODING_OPTIONS.get(encoding, {}))
    if maker is not None and encoding != "BMP":
        exif = Image.Exif()
        exif[_SOFTWARE_TAG] = maker
        options["exif"] = exif
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=encoding, **options)
    return buffer.getvalue()


def made_by(path: str | os.PathLike) -> str | None:
    """The EXIF Software tag of an image file (read from its header), or None: no tag, no
    image, or a file that cannot be read."""
    try:
        with Image.open(path) as image:
            software = image.getexif().get(_SOFTWARE_TAG)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        return None
    return software if isinstance(software, str) else None


def is_grey(image: np.ndarray) -> bool:
    """Whether every pixel of an RGB image has three equal channels."""
    return bool(np.array_equal(image[:, :, 0], image[:, :, 1]) and np.array_equal(image[:, :, 1], image[:, :, 2]))


def from_pil(image: Image.Image) -> np.ndarray:
    """A Pillow image as an H x W x 3 uint8 RGB array, by the rules ``load_image`` applies to
    files (its EXIF rotation applied, transparency on white)."""
    return _to_rgb(ImageOps.exif_transpose(image))


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an RGB uint8 array (written atomically by the caller)."""
    return encode_image(image, ".png")
