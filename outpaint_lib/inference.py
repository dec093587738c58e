"""Outpainting photos of any size with a saved generator.

One round widens an H x W photo by up to a quarter of its height per side (the paper's 32
columns at 128 px), or heightens it by up to a quarter of its width at the top and bottom (a
rows generator: the same, on the transposed image); ``outpaint_lib.sizing`` plans the rounds
for a target size, aspect ratio or number of rounds. The generator works at its own scale
(height ``image_size``); only the new strips come from it, upsampled to the photo's resolution,
dressed in the photo's texture (``texture``) and composited with the photo's own pixels, pasted
or Poisson-blended.

Each strip is by default the mean of two generator passes, over the photo and over its mirror
image: a landscape is as plausible mirrored, so the two guesses agree on content and differ in
the column texture each invents, which the mean damps. Rounds after the first keep the light:
photos darken toward their left and right borders and the generator paints that, which
repeated every round would compound, so each later round on the left and right brings its
strips to the mean colour of the photo's own edge on their side (``steady_colour``): beyond
the first round, nothing says the light falls further. Up and down the colours change for real
(a sky deepens upward, the sea nears), so the top and bottom keep the generator's. The model
card (checkpoint/README.md) has the measurements.

The generator runs on LiteRT when the folder holds a current export of it (``lite``), without
importing TensorFlow, whose import alone is most of a one-photo ``paint``; otherwise on Keras.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from outpaint_lib import geometry
from outpaint_lib.config import DEFAULT_CHECKPOINT, OutpaintConfig, strip_width_of
from outpaint_lib.errors import CheckpointError, ImageError
from outpaint_lib.generator_files import read_config
from outpaint_lib.geometry import model_input_width
from outpaint_lib.images import DEFAULT_MAX_PIXELS, from_pil, is_grey, load_image, resize
from outpaint_lib.lite import LitePredictor, LiteRuntimeMissing, LiteUnavailable
from outpaint_lib.postprocess import blend_photo, match_mean_colour, to_model_range, to_uint8
from outpaint_lib.run_folder import CONFIG_FILE
from outpaint_lib.runtime import resolve_precision
from outpaint_lib.sizing import AXES, Round, Target, make_target, plan_rounds, target_size
from outpaint_lib.texture import check_texture, texture_strips

if TYPE_CHECKING:
    import PIL.Image

logger = logging.getLogger(__name__)

RUNTIMES = ("auto", "litert", "keras")
_fallbacks_reported: set[str] = set()


# A generator folder's generator for the other axis (the shipped model's top and bottom rows),
# which a painter loads beside it.
OTHER_AXIS_FOLDER = "rows"

# The widest image, as width over height, that the generator sees whole; a wider one is painted
# from the part next to each strip, so that memory stays bounded whatever the aspect ratio.
CONTEXT_ASPECT = 4


PRECISIONS = ("auto", "float32", "mixed_bfloat16")


@dataclasses.dataclass(frozen=True)
class PaintSettings:
    """How photos are painted: every painting option, in one place, checked when made. The
    command line builds one from its options (``commands.options``), ``Outpainter.load``
    loads the generator it names and paints as it says, ``paint_files`` reads its limit."""

    checkpoint: str | os.PathLike = DEFAULT_CHECKPOINT  # a generator folder, or a training run's
    # "litert": the folder's export (an error if it cannot be used); "keras"; "auto": LiteRT
    # where it can be used, else Keras, saying why once.
    runtime: str = "auto"
    precision: str = "auto"  # Keras only: "float32", "mixed_bfloat16", or bfloat16 where the CPU has it
    mirror_average: bool = True  # each strip the mean of the passes over the photo and its mirror image
    steady_colour: bool = True  # later left and right rounds keep the mean colour of the photo's edge on their side
    texture: str = "photo"  # "photo": the strips dressed in the photo's own texture; "none": the generator's
    seed: int = 0  # the texture stage's draws: the same photo and seed paint the same pixels
    blend: bool = True  # Poisson-blend the photo into its strips, rather than paste it
    max_pixels: int = DEFAULT_MAX_PIXELS  # photos larger than this, and results, are refused

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {self.runtime!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")
        check_texture(self.texture)


@dataclasses.dataclass
class Outpainter:
    """A loaded generator and how it paints (``settings``). ``Outpainter.load(folder)``.

    A generator paints one axis (``config.strip_axis``): the left and right columns, or the top
    and bottom rows, which it paints as the columns of the transposed image. ``other_axis``, the
    painter of the other one where the folder has it (``OTHER_AXIS_FOLDER``), lets one painter
    grow a photo on every side."""

    generator: object  # a Keras generator, or its LiteRT export (``lite.LitePredictor``)
    config: OutpaintConfig
    settings: PaintSettings = PaintSettings()
    other_axis: Outpainter | None = None
    _compiled: object = dataclasses.field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, checkpoint: str | os.PathLike = DEFAULT_CHECKPOINT, **settings) -> Outpainter:
        """The generator of ``checkpoint``, painting with ``settings`` (``PaintSettings``'
        fields: ``texture="none"``, ``precision="float32"``, ...)."""
        return cls.from_settings(PaintSettings(checkpoint=checkpoint, **settings))

    @classmethod
    def from_settings(cls, settings: PaintSettings) -> Outpainter:
        painter = cls._load_generator(settings)
        other = Path(settings.checkpoint) / OTHER_AXIS_FOLDER
        if (other / CONFIG_FILE).is_file():
            painter.other_axis = cls._load_generator(dataclasses.replace(settings, checkpoint=other))
            if painter.other_axis.config.strip_axis == painter.config.strip_axis:
                raise CheckpointError(f"{other} paints the {painter.config.strip_axis} that {settings.checkpoint} does")
        return painter

    @classmethod
    def _load_generator(cls, settings: PaintSettings) -> Outpainter:
        checkpoint = settings.checkpoint
        config = read_config(checkpoint)
        lite_problem = None
        if settings.runtime != "keras":
            try:
                return cls(LitePredictor.load(checkpoint), config, settings)
            except LiteUnavailable as reason:
                if settings.runtime == "litert":
                    raise CheckpointError(f"cannot paint with LiteRT: {reason}") from None
                lite_problem = str(reason)
                if lite_problem not in _fallbacks_reported and _keras_installed():
                    # Said once per reason: a missing runtime costs the user seconds a photo; a
                    # folder without an export (a training run's generator) is as expected.
                    _fallbacks_reported.add(lite_problem)
                    level = logging.WARNING if isinstance(reason, LiteRuntimeMissing) else logging.INFO
                    logger.log(level, "painting with Keras, slower to start: %s", reason)
        if not _keras_installed():
            # An install without the training extra paints on LiteRT alone.
            because = f"{lite_problem}, and " if lite_problem else ""
            raise CheckpointError(
                f"cannot paint with {checkpoint}: {because}Keras and TensorFlow, which paint without "
                "an export, are not installed (pip install 'outpaint[train]')"
            )
        from outpaint_lib.runtime import start_tensorflow_quietly

        start_tensorflow_quietly()  # before TensorFlow is imported: its start-up notices stay hidden
        from outpaint_lib.generator_files import load_generator

        generator, config = load_generator(checkpoint, precision=resolve_precision(settings.precision))
        return cls(generator, config, settings)

    def replace(self, **settings) -> Outpainter:
        """The same generator, painting with these settings changed (``texture="none"``, ...)."""
        other = None if self.other_axis is None else self.other_axis.replace(**settings)
        return Outpainter(
            self.generator, self.config, dataclasses.replace(self.settings, **settings), other, self._compiled
        )

    def for_axis(self, axis: str) -> Outpainter:
        """The painter of ``axis`` ("columns" or "rows"): this one or its ``other_axis``."""
        for painter in (self, self.other_axis):
            if painter is not None and painter.config.strip_axis == axis:
                return painter
        sides = " and ".join(AXES[axis])
        raise CheckpointError(
            f"{self.settings.checkpoint} has no generator that paints the {sides} "
            f"(a {axis} generator in its {OTHER_AXIS_FOLDER}/ folder)"
        )

    @property
    def runtime(self) -> str:
        return "litert" if isinstance(self.generator, LitePredictor) else "keras"

    # Public API.
    def outpaint(self, image: np.ndarray | str | os.PathLike | PIL.Image.Image, **options) -> np.ndarray:
        """The widest result of ``outpaint_rounds``, which takes the same options."""
        return self.outpaint_rounds(image, **options)[-1]

    def outpaint_rounds(
        self,
        image: np.ndarray | str | os.PathLike | PIL.Image.Image,
        blend: bool | None = None,
        on_round: Callable[[int, np.ndarray], None] | None = None,
        *,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        **target,
    ) -> list[np.ndarray]:
        """Grow ``image`` (a uint8 RGB array, a Pillow image or an image file's path) and
        return every round's result, the last one largest. ``target`` is ``make_target``'s
        keywords: how large with one of ``times`` (rounds of full strips; 1 if nothing is given),
        ``width`` and/or ``height`` (pixels) or ``aspect`` (width over height: 1.78 or "16:9"),
        and where with ``side`` ("left", "top", "left,right", "both" for left and right, "all";
        by default both sides of each axis the target grows); see ``outpaint_lib.sizing`` for
        how the rounds are planned. ``blend`` overrides the settings' for this call;
        ``on_round(round, result)`` sees each round's result."""
        current = _read_image(image)
        target = make_target(**target)
        results = []
        for _, round_number, result in self.rounds(
            [current], [self.plan(current.shape[:2], target, max_pixels)], blend
        ):
            results.append(result)
            if on_round is not None:
                on_round(round_number, result)
        return results

    def rounds(
        self, images: Sequence[np.ndarray], plans: Sequence[list[Round]], blend: bool | None = None
    ) -> Iterator[tuple[int, int, np.ndarray]]:
        """Paint each image through its planned rounds (``plan``), all of them in step, so that
        images of one size share the model's batches; after every round of every image, yield
        ``(index of the image, round number, result)``."""
        current = list(images)
        # Each image as it was before its first round on each axis: the edges later rounds keep.
        before: list[dict[str, np.ndarray]] = [{} for _ in images]
        for round_index in range(max((len(plan) for plan in plans), default=0)):
            groups: dict[str, list[int]] = {}  # images whose round paints the same axis go together
            for index, plan in enumerate(plans):
                if round_index < len(plan):
                    groups.setdefault(plan[round_index].axis, []).append(index)
            for axis, active in groups.items():
                steps = [plans[index][round_index] for index in active]
                grown_from = [before[index].get(axis) for index in active]
                for index in active:
                    before[index].setdefault(axis, current[index])
                painted = self.for_axis(axis).outpaint_batch(
                    [current[index] for index in active],
                    blend,
                    [(step.first, step.second) for step in steps],
                    grown_from=grown_from,
                )
                for index, result in zip(active, painted):
                    current[index] = result
                    yield index, round_index + 1, result

    def plan(self, shape: tuple[int, int], target: Target, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> list[Round]:
        """The rounds that grow an image of ``shape`` (height, width) to ``target``; refused at
        once where this painter has no generator for an axis the target grows."""
        final_size = target_size(*shape, target, max_pixels)
        rounds = plan_rounds(*shape, final_size, target.sides or _default_sides(shape, final_size))
        for axis in {step.axis for step in rounds}:
            self.for_axis(axis)
        return rounds

    def outpaint_batch(
        self,
        images: Sequence[np.ndarray],
        blend: bool | None = None,
        columns: Sequence[tuple[int, int]] | None = None,
        *,
        grown_from: Sequence[np.ndarray | None] | None = None,
    ) -> list[np.ndarray]:
        """One round for several images; those of the same size go through the model together.
        ``columns[i]`` is the (left, right) columns image i gains, at most one strip each, or
        for a rows generator the (top, bottom) rows; full strips on both sides by default.
        ``grown_from[i]``, where earlier rounds on this axis grew image i, is the image before
        them: new left and right strips take the mean colour of its edges (``steady_colour``)."""
        blend = self.settings.blend if blend is None else blend
        for name, values in (("column pairs", columns), ("grown_from images", grown_from)):
            if values is not None and len(values) != len(images):
                raise ValueError(f"{len(values)} {name} for {len(images)} images")
        # A rows generator paints the columns of the transposed image.
        images = [geometry.strip_frame(image, self.config.strip_axis) for image in images]
        # Up and down, a photo's colours change for real: a round's top strip above a sky that
        # deepens upward is deeper still, not the colour of the photo's top edge.
        steady = self.settings.steady_colour and self.config.strip_axis == "columns"
        references = list(grown_from) if steady and grown_from is not None else None
        strips: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(images)
        groups: dict[tuple[int, int], list[int]] = {}
        for index, image in enumerate(images):
            _check_image(image)
            groups.setdefault(image.shape[:2], []).append(index)
        for indices in groups.values():
            for index, pair in zip(indices, self.generate_strips(np.stack([images[i] for i in indices]))):
                strips[index] = pair
        # Composited all together, whatever their sizes, so that every core has an image.
        painted = self.composite_batch(images, strips, blend, columns, references)
        return [geometry.strip_frame(image, self.config.strip_axis) for image in painted]

    def composite_batch(
        self,
        images: Sequence[np.ndarray],
        strips: Sequence[tuple[np.ndarray, np.ndarray]],
        blend: bool,
        columns: Sequence[tuple[int, int]] | None = None,
        colour_references: Sequence[np.ndarray | None] | None = None,
    ) -> list[np.ndarray]:
        """``composite`` for each image with its (left, right) strips. Compositing (the texture
        stage and the blend) is OpenCV and NumPy work that lets go of the GIL: the images are
        composited side by side, one per core."""

        def one(index: int) -> np.ndarray:
            return self.composite(
                images[index],
                *strips[index],
                blend,
                None if columns is None else columns[index],
                None if colour_references is None else colour_references[index],
            )

        return list(_composite_pool().map(one, range(len(images))))

    # The steps of one round.
    def generate_strips(self, images: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The left and right strips for a batch of same-size images, at model scale (uint8)."""
        config = self.config
        height, width = images.shape[1:3]
        model_width = model_input_width(config, height, width)
        window = CONTEXT_ASPECT * config.image_size
        if model_width <= window:
            lefts, rights = self._strips(self._model_input(images, model_width))
        else:
            # A very wide image (a panorama, a tenth round) would cost memory and time in
            # proportion to its width: each strip is painted from the 4:1 part of the image next
            # to it, which holds everything the generator's convolutions reach.
            columns = min(width, int(round(window * height / config.image_size)))
            count = len(images)
            both = self._model_input(np.concatenate([images[:, :, :columns], images[:, :, -columns:]]), window)
            both_lefts, both_rights = self._strips(both)
            lefts, rights = both_lefts[:count], both_rights[count:]
        return [
            (to_uint8(left, config.value_range), to_uint8(right, config.value_range))
            for left, right in zip(lefts, rights)
        ]

    def _model_input(self, images: np.ndarray, model_width: int) -> np.ndarray:
        resized = np.stack([resize(image, model_width, self.config.image_size) for image in images])
        return to_model_range(resized, self.config.value_range)

    def _strips(self, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Left and right strips in the model's range, averaged with the mirrored pass's."""
        if not self.settings.mirror_average:
            return self._model_strips(centre)
        # One batch holds the photos and their mirror images.
        count = len(centre)
        both_lefts, both_rights = self._model_strips(np.concatenate([centre, centre[:, :, ::-1]]))
        lefts = (both_lefts[:count] + both_rights[count:, :, ::-1]) / 2
        rights = (both_rights[:count] + both_lefts[count:, :, ::-1]) / 2
        return lefts, rights

    def _model_strips(self, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One generator pass: left and right strips in the model's range."""
        k = self.config.strip_width
        if self.config.input_mode == "mask":
            # The paper's way: pad k columns per side, paint the whole width, keep the strips.
            output = self._predict(geometry.masked_input(centre, k, self.config.input_fill))
            return output[:, :, :k], output[:, :, -k:]
        # The crop-mode generator was trained on centres exactly W/2 wide: read the left strip
        # from the leftmost such window and the right strip from the rightmost.
        window = self.config.centre_width
        return self._predict(centre[:, :, :window])[:, :, :k], self._predict(centre[:, :, -window:])[:, :, k:]

    def composite(
        self,
        image: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        blend: bool,
        columns: tuple[int, int] | None = None,
        colour_reference: np.ndarray | None = None,
    ) -> np.ndarray:
        """The photo at its own resolution between the upsampled strips, pasted or blended;
        ``columns`` keeps only that many of each strip's columns, those nearest the photo;
        ``colour_reference`` (an image as high) gives each kept strip the mean colour of as many
        of its outermost columns on that side; the texture stage then dresses the strips in the
        image's own texture."""
        height = image.shape[0]
        extension = strip_width_of(height)
        left_columns, right_columns = (extension, extension) if columns is None else columns
        if not (0 <= left_columns <= extension and 0 <= right_columns <= extension):
            raise ValueError(f"a round adds 0 to {extension} columns per side, not {columns}")
        parts = [image]
        if left_columns:
            parts.insert(0, resize(left, extension, height)[:, extension - left_columns :])
        if right_columns:
            parts.append(resize(right, extension, height)[:, :right_columns])
        canvas = np.concatenate(parts, axis=1)
        if colour_reference is not None:
            canvas = _match_strips(canvas, colour_reference, left_columns, right_columns)
        if self.settings.texture == "photo":
            canvas = texture_strips(
                canvas, left_columns, right_columns, seed=self.settings.seed, axis=self.config.strip_axis
            )
            if colour_reference is not None:  # the texture's own level differs a little; over rounds it would add up
                canvas = _match_strips(canvas, colour_reference, left_columns, right_columns)
        if blend:
            canvas = blend_photo(canvas, image, left_columns)
        if is_grey(image):
            # A black-and-white photo gets grey strips, not the colour the generator tints them.
            canvas = np.repeat(cv2.cvtColor(canvas, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
        return canvas

    # Helpers.
    def _predict(self, inputs) -> np.ndarray:
        if isinstance(self.generator, LitePredictor):
            return self.generator(inputs)
        import tensorflow as tf

        if self._compiled is None:
            # A traced call skips Keras' per-layer eager dispatch; one trace per input shape.
            self._compiled = tf.function(lambda x: self.generator(x, training=False), reduce_retracing=True)
        return self._compiled(tf.convert_to_tensor(inputs, dtype=tf.float32)).numpy()


def _default_sides(shape: tuple[int, int], final_size: tuple[int, int]) -> tuple[str, ...]:
    """Both sides of each axis that grows."""
    grown = {"columns": final_size[1] > shape[1], "rows": final_size[0] > shape[0]}
    return tuple(side for axis, sides in AXES.items() if grown[axis] for side in sides)


def _keras_installed() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("keras", "tensorflow", "h5py"))


@functools.cache
def _composite_pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="composite")


def _read_image(image) -> np.ndarray:
    if isinstance(image, (str, os.PathLike)):
        try:
            return load_image(image)
        except ImageError as error:
            raise ImageError(error.reason, f"{image}: {error}") from None
    if not isinstance(image, np.ndarray):
        from PIL import Image

        if not isinstance(image, Image.Image):
            raise TypeError(
                f"expected a uint8 RGB array, a PIL image or an image file's path, not {type(image).__name__}"
            )
        image = from_pil(image)
    _check_image(image)
    return image


def _match_strips(canvas: np.ndarray, image: np.ndarray, left: int, right: int) -> np.ndarray:
    """``canvas`` with its ``left`` and ``right`` painted columns each brought to the mean colour
    of as many of ``image``'s outermost columns on that side (``match_mean_colour``)."""
    canvas = canvas.copy()
    if left:
        canvas[:, :left] = match_mean_colour(canvas[:, :left][:, ::-1], image[:, :left])[:, ::-1]
    if right:
        canvas[:, -right:] = match_mean_colour(canvas[:, -right:], image[:, -right:])
    return canvas


def _check_image(image: np.ndarray) -> None:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 uint8 RGB image, got {image.dtype} {image.shape}")
