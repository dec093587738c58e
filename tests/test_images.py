"""The loader against what real folders hold: every image here is generated in the test."""

import io
import resource
import time

import numpy as np
import pytest
from PIL import Image, ImageFile

from outpaint_lib import images
from outpaint_lib.images import ImageError, centre_square, encode_png, find_images, load_image, load_square, scan_files
from support import encode, marked_jpeg, png_header_only

RED, GREEN, BLUE, MAGENTA, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 0, 255), (0, 0, 0)
WHITE = (255, 255, 255)
REASONS = {"missing", "unreadable", "empty", "not_an_image", "corrupt", "too_large", "too_small"}


def gradient(height: int, width: int) -> np.ndarray:
    """Every pixel different (row, column and their mix), so a transposed or flipped read shows."""
    rows, columns = np.mgrid[0:height, 0:width]
    return np.stack([rows * 7 % 256, columns * 5 % 256, (rows * 3 + columns * 11) % 256], axis=-1).astype(np.uint8)


def noise(height: int = 64, width: int = 64, seed: int = 0) -> Image.Image:
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8))


def refused(source, reason: str, **options) -> ImageError:
    with pytest.raises(ImageError) as caught:
        load_image(source, **options)
    error = caught.value
    assert error.reason == reason, f"{error.reason}: {error}"
    assert error.reason in REASONS
    message = str(error)
    assert message and "\n" not in message and "\r" not in message
    return error


def assert_rgb(array: np.ndarray, height: int, width: int) -> None:
    assert isinstance(array, np.ndarray)
    assert array.shape == (height, width, 3) and array.dtype == np.uint8


@pytest.fixture(autouse=True)
def truncated_images_stay_refused():
    """Pillow fills truncated files with grey when this flag is set; nothing may set it."""
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    yield
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- What must decode, with the right pixels ------------------------------------------------


def test_rgb_png_non_square_keeps_height_width_and_every_pixel(tmp_path):
    original = gradient(21, 34)
    path = tmp_path / "wide.png"
    Image.fromarray(original).save(path)
    array = load_image(path)
    assert_rgb(array, 21, 34)
    np.testing.assert_array_equal(array, original)
    tall = load_image(encode(Image.fromarray(original.transpose(1, 0, 2).copy()), "PNG"))
    assert_rgb(tall, 34, 21)


def test_bytes_and_str_paths_give_the_same_array_as_a_path(tmp_path):
    original = gradient(12, 17)
    data = encode(Image.fromarray(original), "PNG")
    path = tmp_path / "image.png"
    path.write_bytes(data)
    for source in (data, bytearray(data), memoryview(data), str(path), path):
        array = load_image(source)
        assert_rgb(array, 12, 17)
        np.testing.assert_array_equal(array, original)


def test_grayscale_l_is_repeated_on_three_channels():
    values = np.array([[0, 1, 128], [200, 254, 255]], dtype=np.uint8)
    array = load_image(encode(Image.fromarray(values, "L"), "PNG"))
    assert_rgb(array, 2, 3)
    np.testing.assert_array_equal(array, np.repeat(values[:, :, None], 3, axis=2))


def test_rgba_is_composited_on_white():
    pixels = np.array([[[10, 20, 30, 0], [10, 200, 30, 255], [0, 0, 0, 128], [255, 0, 0, 255]]], dtype=np.uint8)
    array = load_image(encode(Image.fromarray(pixels, "RGBA"), "PNG"))
    assert_rgb(array, 1, 4)
    assert tuple(array[0, 0]) == WHITE  # fully transparent: white, whatever its hidden colour
    assert tuple(array[0, 1]) == (10, 200, 30)  # opaque: its own colour
    assert all(abs(int(v) - 127) <= 1 for v in array[0, 2])  # half-transparent black: mid grey
    assert tuple(array[0, 3]) == RED


def test_la_is_composited_on_white():
    pixels = np.array([[[100, 255], [100, 0], [0, 128]]], dtype=np.uint8)
    array = load_image(encode(Image.fromarray(pixels, "LA"), "PNG"))
    assert_rgb(array, 1, 3)
    assert tuple(array[0, 0]) == (100, 100, 100)
    assert tuple(array[0, 1]) == WHITE
    assert all(abs(int(v) - 127) <= 1 for v in array[0, 2])


def test_16_bit_grayscale_png_is_scaled_by_its_bit_depth():
    values = np.array([[0, 257, 32896, 65535, 65280]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")  # really 16-bit in the file
    array = load_image(data)
    assert_rgb(array, 1, 5)
    np.testing.assert_array_equal(array[0, :, 0], [0, 1, 128, 255, 254])
    assert (array == array[:, :, :1]).all()


def test_dark_16_bit_png_is_not_mistaken_for_8_bit():
    # All values <= 255 out of 65535: nearly black. Scaling by the content read them as 0..255.
    values = np.array([[0, 100, 200, 255]], dtype=np.uint16)
    array = load_image(encode(Image.fromarray(values), "PNG"))
    assert_rgb(array, 1, 4)
    np.testing.assert_array_equal(array[0, :, 0], [0, 0, 1, 1])


def palette_image() -> Image.Image:
    image = Image.new("P", (3, 1))
    image.putpalette(list(RED + GREEN + BLUE) + [0] * (256 - 3) * 3)
    image.putpixel((1, 0), 1)
    image.putpixel((2, 0), 2)
    return image


def test_palette_png_without_transparency():
    array = load_image(encode(palette_image(), "PNG"))
    assert_rgb(array, 1, 3)
    assert [tuple(p) for p in array[0]] == [RED, GREEN, BLUE]


def test_palette_png_with_a_transparent_index_shows_white():
    data = encode(palette_image(), "PNG", transparency=1)
    assert Image.open(io.BytesIO(data)).mode == "P"
    array = load_image(data)
    assert [tuple(p) for p in array[0]] == [RED, WHITE, BLUE]


def test_rgb_and_grayscale_png_with_a_transparent_colour_key_show_white():
    # tRNS in an RGB or L PNG: one colour is fully transparent, as viewers show it.
    rgb = np.array([[RED, GREEN, BLUE]], dtype=np.uint8)
    array = load_image(encode(Image.fromarray(rgb), "PNG", transparency=GREEN))
    assert [tuple(p) for p in array[0]] == [RED, WHITE, BLUE]
    gray = np.array([[0, 50, 100]], dtype=np.uint8)
    array = load_image(encode(Image.fromarray(gray, "L"), "PNG", transparency=50))
    assert [tuple(p) for p in array[0]] == [BLACK, WHITE, (100, 100, 100)]


def test_cmyk_jpeg_comes_back_close_to_the_rgb_original():
    original = np.zeros((16, 24, 3), dtype=np.uint8)
    original[:8, :12], original[:8, 12:] = (200, 30, 60), (20, 180, 90)
    original[8:, :12], original[8:, 12:] = (240, 240, 20), (40, 40, 160)
    data = encode(Image.fromarray(original).convert("CMYK"), "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    array = load_image(data)
    assert_rgb(array, 16, 24)
    # Block centres, away from JPEG ringing at the edges between colours.
    for row, column in ((3, 5), (3, 18), (12, 5), (12, 18)):
        assert np.abs(array[row, column].astype(int) - original[row, column]).max() <= 8


def is_red(pixel) -> bool:
    return pixel[0] > 200 and pixel[2] < 60


@pytest.mark.parametrize(
    "orientation, shape, red_corner",
    [
        (1, (20, 30), (0, 0)),
        (3, (20, 30), (-1, -1)),  # rotated 180
        (6, (30, 20), (0, -1)),  # rotate 90 clockwise to view: top-left goes to top-right
        (8, (30, 20), (-1, 0)),  # rotate 90 anticlockwise: top-left goes to bottom-left
    ],
)
def test_exif_orientation_is_applied(orientation, shape, red_corner):
    array = load_image(marked_jpeg(orientation))
    assert_rgb(array, *shape)
    corners = {(0, 0), (0, -1), (-1, 0), (-1, -1)}
    assert is_red(array[red_corner])
    for corner in corners - {red_corner}:
        assert not is_red(array[corner]), corner


@pytest.mark.parametrize("format, options", [("WEBP", {"lossless": True}), ("BMP", {})])
def test_webp_and_bmp(tmp_path, format, options):
    original = gradient(13, 22)
    path = tmp_path / f"image.{format.lower()}"
    Image.fromarray(original).save(path, format=format, **options)
    array = load_image(path)
    assert_rgb(array, 13, 22)
    np.testing.assert_array_equal(array, original)


def test_lossy_webp_with_alpha_is_composited_on_white():
    pixels = np.zeros((16, 16, 4), dtype=np.uint8)
    pixels[:, :8] = (*RED, 255)
    pixels[:, 8:] = (*BLUE, 0)
    array = load_image(encode(Image.fromarray(pixels, "RGBA"), "WEBP", quality=90))
    assert_rgb(array, 16, 16)
    assert is_red(array[8, 2])
    assert (array[8, 13] >= 245).all()


def test_encode_png_round_trips():
    original = gradient(9, 14)
    np.testing.assert_array_equal(load_image(encode_png(original)), original)


# --- What must be refused, with the right reason and a one-line message ---------------------


def test_missing_file(tmp_path):
    refused(tmp_path / "absent.jpg", "missing")


def test_directory(tmp_path):
    folder = tmp_path / "photo.jpg"
    folder.mkdir()
    refused(folder, "unreadable")


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    refused(path, "empty")
    refused(b"", "empty")


def test_text_file_named_jpg(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("These are my holiday notes.\nNot a photo.\n")
    refused(path, "not_an_image")


def test_random_bytes():
    refused(np.random.default_rng(3).bytes(4096), "not_an_image")


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
def test_truncated_jpeg_is_refused_not_padded(tmp_path, progressive):
    data = encode(noise(), "JPEG", quality=90, progressive=progressive)
    assert load_image(data).shape == (64, 64, 3)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    error = refused(path, "corrupt")
    assert "truncated" in str(error)
    refused(data[:-10], "corrupt")  # only the last few bytes missing


def test_truncated_png_is_refused(tmp_path):
    data = encode(noise(), "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    refused(path, "corrupt")


def test_png_cut_inside_its_header_is_corrupt_not_another_kind_of_file():
    # Starts like a PNG, so it is a damaged image; Pillow alone calls it unidentified.
    data = encode(noise(), "PNG")
    refused(data[:40], "corrupt")
    refused(encode(noise(), "JPEG")[:60], "corrupt")


def test_png_with_damaged_data_is_refused():
    data = bytearray(encode(noise(), "PNG"))
    data[len(data) // 2] ^= 0xFF
    refused(bytes(data), "corrupt")


def test_image_smaller_than_min_side():
    data = encode(Image.fromarray(gradient(5, 40)), "PNG")
    error = refused(data, "too_small", min_side=8)
    assert "40 x 5" in str(error)
    assert load_image(data, min_side=5).shape == (5, 40, 3)


def test_too_small_reports_the_upright_size():
    # Stored 30 wide x 20 high, shown 20 wide x 30 high.
    error = refused(marked_jpeg(6), "too_small", min_side=25)
    assert "20 x 30" in str(error)


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel data is decoded."""

    def forbidden(self):
        raise AssertionError("pixel data decoded although the header was too large")

    monkeypatch.setattr(Image.Image, "load", forbidden)
    monkeypatch.setattr(ImageFile.ImageFile, "load", forbidden)


def test_huge_header_is_refused_fast_before_decoding(no_decoding):
    data = png_header_only(100_000, 100_000)  # 10 gigapixels claimed in 100 bytes
    assert len(data) < 200
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    error = refused(data, "too_large")
    assert time.perf_counter() - start < 1.0
    growth_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert growth_kib < 50_000
    assert "50,000,000" in str(error)


def test_header_over_max_pixels_is_refused_before_decoding(no_decoding):
    # 5000 x 5000 is under Pillow's own limit: only max_pixels stops it.
    error = refused(png_header_only(5000, 5000), "too_large", max_pixels=1_000_000)
    assert "5000 x 5000" in str(error) and "1,000,000" in str(error)


@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_exactly_max_pixels_is_allowed(format):
    data = encode(Image.fromarray(gradient(40, 30)), format)
    assert load_image(data, max_pixels=40 * 30).shape == (40, 30, 3)
    refused(data, "too_large", max_pixels=40 * 30 - 1)


def test_max_pixels_above_pillow_warning_limit_is_honoured(monkeypatch):
    # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; max_pixels is the
    # caller's limit, so an image between the two loads when the caller allows it.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = encode(Image.fromarray(gradient(40, 30)), "PNG")  # 1200 pixels
    with_warnings = load_image(data, max_pixels=10_000)
    assert_rgb(with_warnings, 40, 30)
    error = refused(data, "too_large", max_pixels=1000)
    assert "1,000" in str(error)
    big = encode(Image.fromarray(gradient(50, 50)), "PNG")  # over Pillow's hard limit of 2000
    assert "2,000" in str(refused(big, "too_large", max_pixels=100_000))


# --- find_images ----------------------------------------------------------------------------


def test_find_images_recursive_case_insensitive_sorted(tmp_path):
    root = tmp_path / "photos"
    wanted = [
        "b.png",
        "A.JPG",
        "c.Jpeg",
        "sub/d.webp",
        "sub/deeper/e.BMP",
        "sub/a.jpg",
        "Z/last.PnG",
        "clip.gif",
        "raw.tif",
        "scan.TIFF",
        "jpg",  # no extension at all: a candidate, read by its content
    ]
    ignored = ["notes.txt", "archive.jpg.zip", "sub/.hidden", "sub/readme.md"]
    for name in reversed(wanted + ignored):  # created out of order
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    (root / "folder.jpg").mkdir()  # a directory with an image name is not a file
    found = find_images(root)
    assert all(p.is_file() for p in found)
    assert sorted(p.relative_to(root).as_posix() for p in found) == sorted(wanted)
    assert found == sorted(found)
    assert find_images(str(root)) == found  # stable, and str works too
    others = dict((p.relative_to(root).as_posix(), reason) for p, reason in scan_files(root)[1])
    assert others == {
        "notes.txt": "not an image file (.txt)", "archive.jpg.zip": "not an image file (.zip)",
        "sub/.hidden": "hidden file", "sub/readme.md": "not an image file (.md)",
    }


def test_find_images_missing_folder(tmp_path):
    with pytest.raises(ImageError) as caught:
        find_images(tmp_path / "absent")
    assert caught.value.reason == "missing" and "\n" not in str(caught.value)


# --- centre_square and load_square ----------------------------------------------------------


def framed_quadrants(height: int, width: int) -> np.ndarray:
    """Green outside the centre square; red, blue, magenta, black quadrants inside it."""
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:] = GREEN
    side = min(height, width)
    top, left, half = (height - side) // 2, (width - side) // 2, side // 2
    square = image[top : top + side, left : left + side]
    square[:half, :half], square[:half, half:] = RED, BLUE
    square[half:, :half], square[half:, half:] = MAGENTA, BLACK
    return image


def quadrants(size: int) -> np.ndarray:
    return framed_quadrants(size, size)


def test_centre_square_of_wide_and_tall_images():
    np.testing.assert_array_equal(centre_square(framed_quadrants(40, 60)), quadrants(40))
    np.testing.assert_array_equal(centre_square(framed_quadrants(61, 40)), quadrants(40))


@pytest.mark.parametrize("height, width", [(40, 60), (60, 40)], ids=["wide", "tall"])
def test_load_square_downscales_the_centre(height, width):
    data = encode(Image.fromarray(framed_quadrants(height, width)), "PNG")
    square = load_square(data, 10)
    assert_rgb(square, 10, 10)
    assert square.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(square, quadrants(10))  # no green: only the centre is kept


@pytest.mark.parametrize("height, width", [(30, 50), (50, 30)], ids=["wide", "tall"])
def test_load_square_upscales_the_centre(tmp_path, height, width):
    path = tmp_path / "small.png"
    Image.fromarray(framed_quadrants(height, width)).save(path)
    square = load_square(path, 60)
    assert_rgb(square, 60, 60)
    assert square[..., 1].max() == 0  # no green from outside the centre square
    expected = quadrants(60)
    for rows, columns in ((slice(0, 25), slice(0, 25)), (slice(0, 25), slice(35, 60)),
                          (slice(35, 60), slice(0, 25)), (slice(35, 60), slice(35, 60))):
        np.testing.assert_array_equal(square[rows, columns], expected[rows, columns])


def test_load_square_passes_loader_errors_through():
    with pytest.raises(ImageError) as caught:
        load_square(png_header_only(5000, 5000), 10, max_pixels=1000)
    assert caught.value.reason == "too_large"


def test_loader_does_not_change_pillow_globals():
    before = (ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS)
    load_image(encode(noise(), "JPEG"))
    refused(encode(noise(), "JPEG")[:500], "corrupt")
    assert (ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS) == before
    assert images.IMAGE_EXTENSIONS == (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff")


@pytest.mark.parametrize("dtype, channels", [(np.float64, 3), (np.float32, 3), (np.float32, 1), (np.float64, 1)])
def test_float_tiffs_are_read_as_zero_to_one(tmp_path, dtype, channels):
    """Issue 30, defect 10: a 64-bit float TIFF was called corrupt (and a 32-bit grey one read black)."""
    import cv2

    values = np.random.default_rng(0).random((12, 10, channels)).astype(dtype)
    ok, data = cv2.imencode(".tiff", values[:, :, ::-1] if channels == 3 else values[:, :, 0])
    assert ok
    expected = np.round(values.astype(np.float64) * 255).astype(np.uint8)
    np.testing.assert_array_equal(load_image(data.tobytes()), np.repeat(expected, 3 // channels, axis=2))


def test_outpaints_own_files_carry_its_name_and_a_grey_image_is_written_grey(tmp_path):
    from outpaint_lib.images import encode_image, made_by

    image = np.repeat(np.arange(60, dtype=np.uint8).reshape(6, 10)[:, :, None], 3, axis=2)
    for suffix in (".png", ".jpg", ".webp", ".tiff"):
        path = tmp_path / f"made{suffix}"
        path.write_bytes(encode_image(image, suffix, maker="outpaint 1.0"))
        assert made_by(path) == "outpaint 1.0", suffix
    path.write_bytes(encode_image(image, ".png"))
    assert made_by(path) is None and made_by(tmp_path / "absent.png") is None
    (tmp_path / "notes.png").write_text("not an image")
    assert made_by(tmp_path / "notes.png") is None
    grey = tmp_path / "grey.png"
    grey.write_bytes(encode_image(image[:, :, 0], ".png"))
    assert Image.open(grey).mode == "L"
