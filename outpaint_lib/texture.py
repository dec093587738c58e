"""The texture stage: the generator's layout, dressed in the photo's own texture.

The generator paints where the horizon, the shore and the sky bands go, but only as a smooth
mean: its strips are smears that a classifier tells from a photograph at a glance. Texture
synthesis from the photo alone (PatchMatch inpainting) looks real but loses the layout and
copies whatever it likes. This stage takes both halves from where each is good.

Guided quilting (after Efros and Freeman's texture transfer): each strip is covered by
overlapping square tiles, taken row by row outward from the photo. A tile is copied from the
photo where its blurred colours match the generator's blurred strip there (the layout), its
overlap agrees with what is already placed (the photo's edge for the first column, so the strip
continues the photo without a seam), and it comes from a similar height in the photo (skies
come from the sky): for the left and right strips a similar row; for the top and bottom ones,
painted on the transposed photo, rows near the photo's edge. Among the near-best places one is
drawn at random, so the photo's texture is not tiled, and each tile is cut into its neighbours
along the path of least difference. Two costs keep the photo's subjects from being cloned:
content that stands out from its surroundings at the scale of a tile (a person, a post,
lettering) costs more to copy, and so does a block of the photo already copied. The generator's
low frequencies are then put back, so the layout is the generator's and the detail the photo's:
as a gain rather than an offset, the way light changes a scene, so that texture brought into a
brighter band brightens with it instead of lying under a haze (an added offset keeps the
texture's contrast while raising its level, which reads as haze, and a classifier sees it).

Tiles are placed at a capped working size and rendered at the photo's own resolution, so the
texture keeps its full detail while the search costs the same for a phone photo and a camera
one.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

# Where a strip's texture comes from: the photo (this stage), or nowhere (the generator's own).
TEXTURES = ("photo", "none")


def check_texture(texture: str) -> str:
    if texture not in TEXTURES:
        raise ValueError(f"texture must be one of {', '.join(TEXTURES)}, got {texture!r}")
    return texture


@dataclasses.dataclass(frozen=True)
class TextureSettings:
    """Sizes are fractions of the photo's height, so a photo and its thumbnail get the same tiles."""

    tile: float = 0.15  # tile side
    overlap: float = 0.25  # of the tile side
    guide_blur: float = 0.012  # sigma of the blur under which tiles must match the generator
    layout_blur: float = 0.015  # sigma of the generator's low frequencies put back
    layout_ramp: float = 0.03  # over which they come in from the photo's edge
    layout_strength: float = 1.0  # how much of the generator's low frequencies are put back
    layout_correction: str = "gain"  # "gain": multiply the texture; "offset": add to it
    gain_limit: float = 2.5  # the gain stays within [1 / limit, limit]
    gain_offset: float = 5.0  # added to both levels of the gain's ratio, so black stays finite
    level_blur: float = 0.0  # sigma of a second, coarser gain that restores the generator's level
    keep_mean: bool = True  # one gain per channel more, so that the strip's mean is the generator's
    detail_strength: float = 1.0  # how much of the copied texture's detail (above the layout's blur) is kept
    overlap_weight: float = 0.5  # overlap agreement against guide agreement
    row_weight: float = 0.02  # the cost of a source one photo height above or below, over 255^2
    distinct_weight: float = 1.0  # the cost of copying content that stands out from its surroundings
    reuse_weight: float = 0.05  # the cost of copying a block of the photo a second time, over 255^2
    row_reach: float = 0.25  # sources are searched this far above and below the tile, in photo heights
    source_reach: float = 3.0  # and this far across (into the photo, or along its edge), in photo heights
    tolerance: float = 0.15  # tiles within this fraction of the best cost are equally likely
    working_height: int = 320  # tiles are placed at this height at most, then rendered at full size
    min_tile: int = 6

    def __post_init__(self) -> None:
        if not 0 < self.tile <= 1 or not 0 < self.overlap < 0.5:
            raise ValueError("tile must be in (0, 1] and overlap in (0, 0.5)")
        if (
            min(
                self.guide_blur,
                self.layout_blur,
                self.row_weight,
                self.distinct_weight,
                self.reuse_weight,
                self.tolerance,
            )
            < 0
        ):
            raise ValueError("blurs, weights and tolerance must be non-negative")
        if not 0 <= self.overlap_weight <= 1:
            raise ValueError("overlap_weight must be in [0, 1]")
        if self.layout_correction not in ("gain", "offset"):
            raise ValueError(f"layout_correction must be 'gain' or 'offset', got {self.layout_correction!r}")
        if self.gain_limit < 1 or self.gain_offset <= 0:
            raise ValueError("gain_limit must be at least 1 and gain_offset positive")


DEFAULT_SETTINGS = TextureSettings()
# The defaults of each strip axis. A top strip is mostly sky, smoother than the rows its tiles
# come from, so rows keep less of the copied detail; and its tiles come from the rows within a
# tenth of the height of the edge, not from further in, where the horizon, the sea and the
# buildings are.
AXIS_SETTINGS = {
    "columns": DEFAULT_SETTINGS,
    "rows": dataclasses.replace(DEFAULT_SETTINGS, detail_strength=0.75, row_reach=0.10),
}


@dataclasses.dataclass(frozen=True)
class _Tile:
    """One placed tile at working scale: where it goes, where it comes from, and which of its
    pixels it keeps (the rest belong to the tiles or photo it was cut into)."""

    top: int
    left: int
    source_top: int
    source_left: int
    keep: np.ndarray  # tile-sized float32 mask, 1 where the tile's own pixels show
    shift: np.ndarray  # the colour added to the copied block, so that it meets its neighbours' tone


def texture_strips(
    canvas: np.ndarray,
    left: int,
    right: int,
    seed: int = 0,
    settings: TextureSettings | None = None,
    axis: str = "columns",
) -> np.ndarray:
    """``canvas`` (uint8 RGB) with its ``left`` and ``right`` outermost columns painted by the
    generator and the photo between them; the painted columns are replaced by the photo's
    texture in the generator's layout. The photo's columns are returned as they are. With
    ``axis="rows"`` the canvas is a photo transposed (``geometry.strip_frame``), its top and
    bottom strips as columns: its columns are then what is up and down. ``settings`` defaults to
    the axis' own (``AXIS_SETTINGS``)."""
    if canvas.dtype != np.uint8 or canvas.ndim != 3 or canvas.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 uint8 image, got {canvas.dtype} {canvas.shape}")
    if left < 0 or right < 0 or left + right >= canvas.shape[1]:
        raise ValueError(f"{left} + {right} painted columns leave no photo in a width of {canvas.shape[1]}")
    if axis not in ("columns", "rows"):
        raise ValueError(f"axis must be 'columns' or 'rows', got {axis!r}")
    settings = AXIS_SETTINGS[axis] if settings is None else settings
    result = canvas.copy()
    rng = np.random.default_rng(seed)
    photo_end = canvas.shape[1] - right
    if right:
        result[:, photo_end:] = _texture_right(canvas[:, left:], right, rng, settings, axis)
    if left:
        mirrored = canvas[:, :photo_end][:, ::-1]
        result[:, :left] = _texture_right(mirrored, left, rng, settings, axis)[:, ::-1]
    return result


def _texture_right(
    image: np.ndarray, strip: int, rng: np.random.Generator, settings: TextureSettings, axis: str
) -> np.ndarray:
    """The textured last ``strip`` columns of ``image``, whose other columns are the photo."""
    height, width = image.shape[:2]
    photo_width = width - strip
    photo_height = photo_width if axis == "rows" else height  # what the settings' fractions are of
    scale = min(1.0, settings.working_height / photo_height)
    small = (
        image
        if scale == 1
        else cv2.resize(
            image, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
        )
    )
    small_photo_width = min(small.shape[1] - 1, max(1, round(photo_width * scale)))
    tiles, overlap = _place_tiles(small, small_photo_width, rng, settings, axis)
    texture = _render(image, photo_width, tiles, overlap, scale, small_photo_width)
    if settings.layout_blur > 0 and settings.layout_strength > 0:
        # The correction ramps in from the photo's edge, where the tiles already continue the
        # photo itself.
        ramp_width = max(1.0, settings.layout_ramp * photo_height)
        ramp = np.clip((np.arange(strip, dtype=np.float32) + 1) / ramp_width, 0, 1)[None, :, None]
        correction = _layout_correction(image[:, photo_width:], texture, settings, photo_height)
        texture += (settings.layout_strength * ramp) * correction
    if settings.detail_strength != 1:
        low = _blur(texture, settings.layout_blur * photo_height)
        texture = low + settings.detail_strength * (texture - low)
    return np.clip(np.rint(texture), 0, 255).astype(np.uint8)


def _layout_correction(
    generated: np.ndarray, texture: np.ndarray, settings: TextureSettings, photo_height: int
) -> np.ndarray:
    """What brings the copied ``texture``'s low frequencies to the ``generated`` strip's: the
    strip's layout becomes the generator's, its detail stays the photo's."""
    sigma = settings.layout_blur * photo_height
    low_generated = _blur(generated.astype(np.float32), sigma)
    low_texture = _blur(texture, sigma)
    if settings.layout_correction == "offset":
        return low_generated - low_texture
    offset, limit = settings.gain_offset, settings.gain_limit
    gain = np.clip((low_generated + offset) / (low_texture + offset), 1 / limit, limit)
    corrected = texture * gain
    if settings.level_blur > 0:
        # A fine gain dims the texture where its own bright details raise its local level, so
        # the strip comes out a little darker than the generator's; over recursive rounds, each
        # copying the last, that compounds. A coarse gain puts the level back.
        sigma = settings.level_blur * photo_height
        level = (_blur(generated.astype(np.float32), sigma) + offset) / (_blur(corrected, sigma) + offset)
        corrected *= np.clip(level, 1 / limit, limit)
    if settings.keep_mean:
        means = (generated.reshape(-1, 3).mean(axis=0) + offset) / (corrected.reshape(-1, 3).mean(axis=0) + offset)
        corrected *= np.clip(means, 1 / limit, limit).astype(np.float32)
    return corrected - texture


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)


def _place_tiles(
    image: np.ndarray, photo_width: int, rng: np.random.Generator, settings: TextureSettings, axis: str
) -> tuple[list[_Tile], int]:
    """Quilt the columns right of ``photo_width`` from the columns left of it, at this scale;
    the tiles and their overlap."""
    quilt = _Quilt(image, photo_width, rng, settings, axis)
    # Column by column outward from the photo, top to bottom in each. The first column
    # overlaps the photo's edge reflected: the cut through that overlap takes the strip from
    # the photo's own continuation to the copied texture, with no seam at the edge.
    tops = sorted(
        {min(top, quilt.height - quilt.tile) for top in range(0, quilt.height - quilt.overlap, quilt.step)} or {0}
    )
    lefts = list(range(photo_width, image.shape[1] - quilt.overlap, quilt.step)) or [photo_width]
    return [quilt.place(top, left) for left in lefts for top in tops], quilt.overlap


class _Quilt:
    """The state of one strip's quilting at working scale: what is placed so far, and the
    per-place costs that do not depend on the tile (distinctive content, reuse)."""

    def __init__(
        self, image: np.ndarray, photo_width: int, rng: np.random.Generator, settings: TextureSettings, axis: str
    ):
        self.height, width = image.shape[:2]
        self.photo_width, self.rng, self.settings = photo_width, rng, settings
        # What is up and down in the photo: this image's rows, or (transposed) its columns; and
        # the photo's height, in which a source's distance from the tile's height is measured.
        self.vertical_columns = axis == "rows"
        self.photo_height = photo_width if self.vertical_columns else self.height
        self.tile = min(
            int(np.clip(round(settings.tile * self.photo_height), settings.min_tile, self.height)),
            photo_width,
            self.height,
        )
        self.overlap = max(1, round(self.tile * settings.overlap)) if self.tile > 1 else 0
        self.step = max(1, self.tile - self.overlap)
        self.colours = image.astype(np.float32)
        self.guide = (
            _blur(self.colours, settings.guide_blur * self.photo_height) if settings.guide_blur > 0 else self.colours
        )
        self.canvas = self.colours.copy()
        self.canvas[:, photo_width:] = _reflect_edge(self.colours, photo_width, self.overlap)
        # Distinctive content, a blob that stands out from its surroundings at the scale of a
        # tile (a person, a post, lettering), is costly to copy: the mean over each place of the
        # band-pass energy, in squared colour levels like the other costs.
        photo = self.colours[:, :photo_width]
        band = _blur(photo, self.tile / 4) - _blur(photo, self.tile * 1.5)
        self.distinct = cv2.boxFilter(
            (band**2).sum(axis=2), -1, (self.tile, self.tile), anchor=(0, 0), borderType=cv2.BORDER_REPLICATE
        )
        # How much of each place's tile has been copied already: a place used again costs more.
        self.used = np.zeros(self.distinct.shape, np.float32)

    def place(self, top: int, left: int) -> _Tile:
        """Choose a block of the photo for the tile at (``top``, ``left``) and cut it in."""
        settings, tile, overlap = self.settings, self.tile, self.overlap
        columns = min(tile, self.canvas.shape[1] - left)  # the outermost column of tiles may be cut by the border
        target = self.canvas[top : top + tile, left : left + columns]
        # What the tile must agree with: the pixels already placed at its left and top.
        placed = np.zeros((tile, columns, 3), np.float32)
        placed[:, : min(overlap, columns)] = 1
        if top > 0:
            placed[:overlap] = 1
        row_low, row_high, column_low = self._search_window(top, columns)
        region = slice(row_low, row_high + tile), slice(column_low, self.photo_width)
        overlap_cost = cv2.matchTemplate(self.colours[region], np.ascontiguousarray(target), cv2.TM_SQDIFF, mask=placed)
        guide_cost = cv2.matchTemplate(
            self.guide[region], np.ascontiguousarray(self.guide[top : top + tile, left : left + columns]), cv2.TM_SQDIFF
        )
        places = (
            slice(row_low, row_low + overlap_cost.shape[0]),
            slice(column_low, column_low + overlap_cost.shape[1]),
        )
        cost = (
            settings.overlap_weight * overlap_cost / max(placed[..., 0].sum(), 1)
            + (1 - settings.overlap_weight) * guide_cost / (tile * columns)
            + settings.row_weight * self._height_cost(top, left, places)
            + settings.distinct_weight * self.distinct[places]
            + settings.reuse_weight * 255.0**2 * self.used[places]
        )
        best = cost.min()
        candidates = np.flatnonzero(cost.ravel() <= best + settings.tolerance * max(best, 1.0))
        chosen = int(self.rng.choice(candidates))
        source_top, source_left = row_low + chosen // cost.shape[1], column_low + chosen % cost.shape[1]
        source = self.colours[source_top : source_top + tile, source_left : source_left + columns]
        # The block takes the tone of what it overlaps: in a smooth sky, two blocks a few levels
        # apart would show as a patchwork however their seam is cut.
        shift = ((target - source) * placed).sum(axis=(0, 1)) / max(placed[..., 0].sum(), 1)
        source = source + shift
        keep = _seam_mask(target, source, overlap, top > 0)
        self.canvas[top : top + tile, left : left + columns] = keep[..., None] * source + (1 - keep[..., None]) * target
        self._mark_used(source_top, source_left, tile, columns)
        return _Tile(top, left, source_top, source_left, keep, shift.astype(np.float32))

    def _search_window(self, top: int, columns: int) -> tuple[int, int, int]:
        """Where a tile at row ``top``, ``columns`` wide, may come from: its first and last
        source rows, and its first source column (the last is the photo's edge). Up and down,
        ``row_reach`` of the photo's height either way; across, ``source_reach``."""
        vertical = int(self.settings.row_reach * self.photo_height)
        across = int(self.settings.source_reach * self.photo_height)
        if self.vertical_columns:  # a transposed photo: up and down is into it from the edge
            vertical, across = across, vertical + columns
        row_low, row_high = max(0, top - vertical), min(self.height - self.tile, top + vertical)
        return row_low, row_high, max(0, self.photo_width - across)

    def _height_cost(self, top: int, left: int, places: tuple[slice, slice]) -> np.ndarray:
        """Each place's distance from the tile's height in the photo, squared, in colour levels
        per photo height: a source row away from the tile's row, or for a transposed photo a
        source column away from the tile's column (the nearest rows to the edge cost least)."""
        if self.vertical_columns:
            offsets = np.arange(places[1].start, places[1].stop, dtype=np.float32)[None, :] - left
        else:
            offsets = np.arange(places[0].start, places[0].stop, dtype=np.float32)[:, None] - top
        return (255.0 * offsets / self.photo_height) ** 2

    def _mark_used(self, top: int, left: int, rows: int, columns: int) -> None:
        """Add to every place the share of its tile that the copied block covers."""
        vertical = 1 - np.abs(np.arange(-rows + 1, rows)) / rows
        horizontal = 1 - np.abs(np.arange(-columns + 1, columns)) / columns
        low_row, low_column = top - rows + 1, left - columns + 1
        rows_slice = slice(max(0, low_row), min(self.used.shape[0], top + rows))
        columns_slice = slice(max(0, low_column), min(self.used.shape[1], left + columns))
        self.used[rows_slice, columns_slice] += np.outer(
            vertical[rows_slice.start - low_row : rows_slice.stop - low_row],
            horizontal[columns_slice.start - low_column : columns_slice.stop - low_column],
        )


def _seam_mask(existing: np.ndarray, new: np.ndarray, overlap: int, has_top: bool) -> np.ndarray:
    """1 where the new tile shows: right of the least-difference path through its left overlap
    and below the one through its top overlap (Efros and Freeman's minimum error boundary cut),
    the cut softened over a pixel or two inside the overlaps so that it leaves no hard edge."""
    difference = ((existing - new) ** 2).sum(axis=2)
    rows, columns = difference.shape
    keep = np.arange(columns)[None, :] >= _least_path(difference[:, : min(overlap, columns)])[:, None]
    if has_top:
        keep &= np.arange(rows)[:, None] >= _least_path(difference[: min(overlap, rows)].T)[None, :]
    keep = keep.astype(np.float32)
    if overlap >= 4:
        soft = cv2.GaussianBlur(keep, (0, 0), overlap / 6, borderType=cv2.BORDER_REPLICATE)
        inside = np.zeros_like(keep, dtype=bool)  # beyond the overlaps: the tile's own pixels only
        inside[overlap if has_top else 0 :, overlap:] = True
        keep = np.where(inside, 1.0, soft).astype(np.float32)
    return keep


def _least_path(cost: np.ndarray) -> np.ndarray:
    """For each row of ``cost``, the column where a path from top to bottom crosses it, each
    step moving at most one column, with the least total cost (dynamic programming)."""
    rows, columns = cost.shape
    total = cost.astype(np.float64).copy()
    for row in range(1, rows):
        previous = total[row - 1]
        left = np.concatenate([[np.inf], previous[:-1]])
        right = np.concatenate([previous[1:], [np.inf]])
        total[row] += np.minimum(np.minimum(left, previous), right)
    path = np.empty(rows, np.int64)
    path[-1] = int(np.argmin(total[-1]))
    for row in range(rows - 2, -1, -1):
        low, high = max(0, path[row + 1] - 1), min(columns, path[row + 1] + 2)
        path[row] = low + int(np.argmin(total[row, low:high]))
    return path


def _render(
    image: np.ndarray, photo_width: int, tiles: list[_Tile], overlap: int, scale: float, small_photo_width: int
) -> np.ndarray:
    """The strip (the columns right of ``photo_width``) as float32, covered by the placed tiles,
    each copied from the photo at its own resolution: placed small, the texture stays sharp."""
    height, width = image.shape[:2]
    strip = _reflect_edge(image, photo_width, round(overlap / scale))
    for tile in tiles:
        size_y, size_x = tile.keep.shape
        top = round(tile.top / scale)
        left = round((tile.left - small_photo_width) / scale)  # in the strip's columns
        rows = min(height, round((tile.top + size_y) / scale)) - top
        columns = min(strip.shape[1], round((tile.left - small_photo_width + size_x) / scale)) - left
        columns = min(columns, photo_width)
        if rows <= 0 or columns <= 0:
            continue
        source_top = min(round(tile.source_top / scale), height - rows)
        source_left = max(0, min(round(tile.source_left / scale), photo_width - columns))
        keep = tile.keep if scale == 1 else cv2.resize(tile.keep, (columns, rows), interpolation=cv2.INTER_LINEAR)
        keep = keep[:rows, :columns, None]
        source = image[source_top : source_top + rows, source_left : source_left + columns].astype(np.float32)
        source += tile.shift
        target = strip[top : top + rows, left : left + columns]
        target[:] = keep * source + (1 - keep) * target
    return strip


def _reflect_edge(image: np.ndarray, photo_width: int, columns: int) -> np.ndarray:
    """The columns right of ``photo_width`` as float32, the first ``columns`` of them mirroring
    the photo's last ones (without repeating the edge column, so that the step across the edge
    is one the photo itself takes)."""
    strip = image[:, photo_width:].astype(np.float32)
    columns = min(columns, strip.shape[1], photo_width - 1)
    if columns > 0:
        strip[:, :columns] = image[:, photo_width - 1 - columns : photo_width - 1][:, ::-1]
    return strip
