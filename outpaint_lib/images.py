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

from outpaint_lib.errors import OutpaintError

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")

# 50 megapixels decode to about 150 MB of RGB; a 6000 x 4000 camera photo is 24 MP.
DEFAULT_MAX_PIXELS = 50_000_000
MIN_SIDE = 8


class ImageError(OutpaintError, ValueError):
    """An image that cannot be used. ``reason`` is a short category for grouped counts."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def find_images(folder: str | os.PathLike) -> list[Path]:
    """Image files under ``folder``, searched recursively, in a stable order."""
    root = Path(folder)
    if not root.is_dir():
        raise ImageError("missing", f"image folder not found: {root}")
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file())


def load_image(
    source: str | os.PathLike | bytes,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int = 1,
) -> np.ndarray:
    """Decode a file (or its bytes) to an H x W x 3 uint8 RGB array, upright.

    Transparent images are composited on white, the way a viewer shows them. Raises
    ``ImageError`` with a one-line message for anything that is not a usable image.
    """
    if isinstance(source, (bytes, bytearray)):
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    "too_large",
                    f"image is {width} x {height} = {width * height:,} pixels, more than the "
                    f"limit of {max_pixels:,}",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            array = _to_rgb(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError("too_large", f"image too large to decode safely: {error}") from None
    except Image.UnidentifiedImageError:
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


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grayscale: keep the top 8 bits rather than clipping everything above 255.
        wide = np.asarray(image, dtype=np.uint32)
        scale = 257 if wide.max(initial=0) > 255 else 1
        gray = (wide // scale).clip(0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
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
    """Decode, centre-crop to a square and resize to ``size`` (area filter when shrinking)."""
    import cv2

    square = centre_square(load_image(path, max_pixels=max_pixels))
    interpolation = cv2.INTER_AREA if square.shape[0] > size else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(square, (size, size), interpolation=interpolation))


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an RGB uint8 array (written atomically by the caller)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
