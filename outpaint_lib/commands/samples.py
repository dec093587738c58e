"""``outpaint samples``: a sheet of painted examples beside their truth."""

from __future__ import annotations

import argparse
import sys

from outpaint_lib.commands.options import (
    add_command_parser,
    add_scoring_options,
    evaluation_axis,
    positive,
    scoring_settings,
)
from outpaint_lib.errors import OutpaintError


def add_command(commands) -> None:
    samples = add_command_parser(commands, "samples", run)
    samples.add_argument("--data", required=True, help="folder of test images; COUNT are taken evenly across it")
    samples.add_argument(
        "-o", "--output", required=True, help="image path; its suffix (.png, .jpg, ...) sets the format"
    )
    samples.add_argument("--count", type=positive, default=8, help="images on the sheet (default: 8)")
    samples.add_argument(
        "--full-resolution",
        dest="full_resolution",
        action="store_true",
        help="paint each photo at its own size (outer quarters hidden, widened back) beside the photo",
    )
    samples.add_argument(
        "--side",
        type=evaluation_axis,
        default="both",
        dest="axis",
        metavar="SIDES",
        help="with --full-resolution: the strips hidden and painted back, left,right (or both: the default) or "
        "top,bottom (a sixth of the height each)",
    )
    samples.add_argument(
        "--recursive", metavar="IMAGE", help="image for the recursive rows (default: the first one taken)"
    )
    samples.add_argument(
        "--times",
        type=positive,
        default=5,
        help="rounds of the recursive rows, each painting from the last (default: 5)",
    )
    add_scoring_options(samples)


def run(arguments: argparse.Namespace) -> int:
    """A sample sheet: centre | output | truth per image, and a recursive result.

    examples:
      outpaint samples --data ../shared/data/beach/val -o sheet.png            # 8 images at 128 px
      outpaint samples --data ../shared/data/photos --full-resolution --count 4 -o photos.jpg
      outpaint samples --data photos/ --recursive photos/beach.jpg --times 3 -o rounds.png
    """
    from outpaint_lib.runtime import start_tensorflow_quietly

    start_tensorflow_quietly()
    from outpaint_lib.files import atomic_write_bytes, check_output_file
    from outpaint_lib.image_folders import evenly_spaced
    from outpaint_lib.images import ImageError, encode_image, encoding_for, find_images, load_image, load_square
    from outpaint_lib.inference import Outpainter
    from outpaint_lib.showcase import full_resolution_sheet, sample_sheet

    output = check_output_file(arguments.output)
    encoding_for(output.suffix)  # an unknown suffix fails now, not after the work
    files = find_images(arguments.data)
    if not files:
        raise OutpaintError(f"no images in {arguments.data}")
    outpainter = Outpainter.from_settings(scoring_settings(arguments))
    if arguments.full_resolution:
        photos = _load_taken(evenly_spaced(files, arguments.count), load_image, arguments.data)
        sheet = full_resolution_sheet(outpainter, photos, progress=not arguments.quiet, axis=arguments.axis)
        atomic_write_bytes(output, encode_image(sheet, output.suffix))
        print(f"{arguments.output}: {len(photos)} photo(s) at their own size ({sheet.shape[1]} x {sheet.shape[0]} px)")
        return 0
    size = outpainter.config.image_size
    truths = _load_taken(evenly_spaced(files, arguments.count), lambda path: load_square(path, size), arguments.data)
    try:
        source = load_square(arguments.recursive, size) if arguments.recursive else truths[0]
    except ImageError as error:
        raise OutpaintError(f"{arguments.recursive}: {error}") from None
    sheet = sample_sheet(outpainter, truths, source, times=arguments.times, progress=not arguments.quiet)
    atomic_write_bytes(output, encode_image(sheet, output.suffix))
    shape = f"{sheet.shape[1]} x {sheet.shape[0]} px"
    print(f"{arguments.output}: {len(truths)} image(s) and a {arguments.times}-round result ({shape})")
    return 0


def _load_taken(paths, load, data) -> list:
    """Each file ``load`` can read; the others are skipped, one line each."""
    from outpaint_lib.images import ImageError

    images = []
    for path in paths:
        try:
            images.append(load(path))
        except ImageError as error:
            print(f"outpaint samples: skipped {path}: {error}", file=sys.stderr)
    if not images:
        raise OutpaintError(f"none of the images taken from {data} could be read")
    return images
