"""The texture stage: the generator's layout, dressed in the photo's own texture.

The generator paints where the horizon, the shore and the sky bands go, but only as a smooth
mean: its strips are smears that a classifier tells from a photograph at a glance. Texture
synthesis from the photo alone (PatchMatch inpainting) looks real but loses the layout and
copies whatever it likes. This stage takes both halves from where each is good.

Guided quilting (after Efros and Freeman's texture transfer): each strip is covered by
overlapping square tiles, taken row by row outward from the photo. A tile is copied from the
photo where its blurred colours match the generator's blurred strip there (the layout), its
overlap agrees with what is already placed (the photo's edge for the first column, so the
strip continues the photo without a seam), and it sits on a similar row (skies come from the
sky). Among the near-best places one is drawn at random, so the photo's texture is not tiled,
and each tile is cut into its neighbours along the path of least difference. The generator's
low frequencies are then put back, so the layout is the generator's and the detail the
photo's. Distinctive objects (a person on the sand) rarely match a smooth guide, and the guide
is compared at a scale fine enough to see them, which keeps them from being copied.

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
    """Sizes are fractions of the image height, so a photo and its thumbnail get the same tiles."""

    tile: float = 0.1  # tile side
    overlap: float = 0.25  # of the tile side
    guide_blur: float = 0.012  # sigma of the blur under which tiles must match the generator
    layout_blur: float = 0.015  # sigma of the generator's low frequencies put back
    layout_ramp: float = 0.03  # over which they come in from the photo's edge
    overlap_weight: float = 0.5  # overlap agreement against guide agreement
    row_weight: float = 2.0  # the cost of a source one image height above or below
    row_reach: float = 0.25  # sources are searched this far above and below the tile
    source_reach: float = 3.0  # and this many heights into the photo from its edge
    tolerance: float = 0.15  # tiles within this fraction of the best cost are equally likely
    working_height: int = 320  # tiles are placed at this height at most, then rendered at full size
    min_tile: int = 6

    def __post_init__(self) -> None:
        if not 0 < self.tile <= 1 or not 0 < self.overlap < 0.5:
            raise ValueError("tile must be in (0, 1] and overlap in (0, 0.5)")
        if min(self.guide_blur, self.layout_blur, self.row_weight, self.tolerance) < 0:
            raise ValueError("blurs, row weight and tolerance must be non-negative")
        if not 0 <= self.overlap_weight <= 1:
            raise ValueError("overlap_weight must be in [0, 1]")


DEFAULT_SETTINGS = TextureSettings()


@dataclasses.dataclass(frozen=True)
class _Tile:
    """One placed tile at working scale: where it goes, where it comes from, and which of its
    pixels it keeps (the rest belong to the tiles or photo it was cut into)."""

    top: int
    left: int
    source_top: int
    source_left: int
    keep: np.ndarray  # tile-sized float32 mask, 1 where the tile's own pixels show


def texture_strips(canvas: np.ndarray, left: int, right: int, seed: int = 0,
                   settings: TextureSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """``canvas`` (uint8 RGB) with its ``left`` and ``right`` outermost columns painted by the
    generator and the photo between them; the painted columns are replaced by the photo's
    texture in the generator's layout. The photo's columns are returned as they are."""
    if canvas.dtype != np.uint8 or canvas.ndim != 3 or canvas.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 uint8 image, got {canvas.dtype} {canvas.shape}")
    if left < 0 or right < 0 or left + right >= canvas.shape[1]:
        raise ValueError(f"{left} + {right} painted columns leave no photo in a width of {canvas.shape[1]}")
    result = canvas.copy()
    rng = np.random.default_rng(seed)
    photo_end = canvas.shape[1] - right
    if right:
        result[:, photo_end:] = _texture_right(canvas[:, left:], right, rng, settings)
    if left:
        mirrored = canvas[:, : photo_end][:, ::-1]
        result[:, :left] = _texture_right(mirrored, left, rng, settings)[:, ::-1]
    return result


def _texture_right(image: np.ndarray, strip: int, rng: np.random.Generator,
                   settings: TextureSettings) -> np.ndarray:
    """The textured last ``strip`` columns of ``image``, whose other columns are the photo."""
    height, width = image.shape[:2]
    photo_width = width - strip
    scale = min(1.0, settings.working_height / height)
    small = image if scale == 1 else cv2.resize(
        image, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    small_photo_width = min(small.shape[1] - 1, max(1, round(photo_width * scale)))
    tiles, overlap = _place_tiles(small, small_photo_width, rng, settings)
    texture = _render(image, photo_width, tiles, overlap, scale)
    layout_sigma = settings.layout_blur * height
    if layout_sigma > 0:
        # The generator's low frequencies, with the copied texture's own taken out: the strip's
        # layout is the generator's, its detail the photo's. The correction ramps in from the
        # photo's edge, where the tiles already continue the photo itself.
        generated = image[:, photo_width:].astype(np.float32)
        copied = texture[:, photo_width:]
        correction = _blur(generated - copied, layout_sigma)
        ramp_width = max(1.0, settings.layout_ramp * height)
        ramp = np.clip((np.arange(strip, dtype=np.float32) + 1) / ramp_width, 0, 1)[None, :, None]
        texture[:, photo_width:] = copied + ramp * correction
    return np.clip(np.rint(texture[:, photo_width:]), 0, 255).astype(np.uint8)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT)


def _place_tiles(image: np.ndarray, photo_width: int, rng: np.random.Generator,
                 settings: TextureSettings) -> tuple[list[_Tile], int]:
    """Quilt the columns right of ``photo_width`` from the columns left of it, at this scale;
    the tiles and their overlap."""
    height, width = image.shape[:2]
    tile = int(np.clip(round(settings.tile * height), settings.min_tile, height))
    tile = min(tile, photo_width, height)
    overlap = max(1, round(tile * settings.overlap)) if tile > 1 else 0
    step = max(1, tile - overlap)
    colours = image.astype(np.float32)
    guide = _blur(colours, settings.guide_blur * height) if settings.guide_blur > 0 else colours
    source_left = max(0, photo_width - int(settings.source_reach * height))
    # Tops of the tile rows (the last one flush with the bottom) and lefts of its columns. The
    # first column overlaps the photo's edge reflected: the cut through that overlap takes the
    # strip from the photo's own continuation to the copied texture, with no seam at the edge.
    tops = sorted({min(top, height - tile) for top in range(0, height - overlap, step)} or {0})
    lefts = list(range(photo_width, width - overlap, step)) or [photo_width]
    canvas = _reflect_edge(colours, photo_width, overlap)
    tiles: list[_Tile] = []
    for left in lefts:
        for top in tops:
            tiles.append(_place_one(canvas, guide, colours, top, left, tile, overlap, photo_width,
                                    source_left, rng, settings))
    return tiles, overlap


def _place_one(canvas, guide, colours, top, left, tile, overlap, photo_width, source_left, rng,
               settings) -> _Tile:
    height, width = canvas.shape[:2]
    columns = min(tile, width - left)  # the outermost column of tiles may be cut by the border
    target = canvas[top : top + tile, left : left + columns]
    # What the tile must agree with: the pixels already placed at its left and top.
    placed = np.zeros((tile, columns), np.float32)
    placed[:, : min(overlap, columns)] = 1
    if top > 0:
        placed[:overlap, :] = 1
    row_low = max(0, top - int(settings.row_reach * height))
    row_high = min(height - tile, top + int(settings.row_reach * height))
    region = slice(row_low, row_high + tile), slice(source_left, photo_width)
    overlap_cost = cv2.matchTemplate(colours[region], np.ascontiguousarray(target),
                                     cv2.TM_SQDIFF, mask=np.repeat(placed[..., None], 3, axis=2))
    guide_cost = cv2.matchTemplate(guide[region], np.ascontiguousarray(guide[top : top + tile, left : left + columns]),
                                   cv2.TM_SQDIFF)
    rows = np.arange(row_low, row_low + overlap_cost.shape[0], dtype=np.float32)[:, None]
    cost = (settings.overlap_weight * overlap_cost / max(placed.sum(), 1)
            + (1 - settings.overlap_weight) * guide_cost / (tile * columns)
            + settings.row_weight * 255.0**2 * ((rows - top) / height) ** 2 / 100)
    best = cost.min()
    candidates = np.flatnonzero(cost.ravel() <= best + settings.tolerance * max(best, 1.0))
    chosen = int(rng.choice(candidates))
    source_top = row_low + chosen // cost.shape[1]
    source_left_chosen = source_left + chosen % cost.shape[1]
    source = colours[source_top : source_top + tile, source_left_chosen : source_left_chosen + columns]
    keep = _seam_mask(target, source, placed, overlap, top > 0)
    canvas[top : top + tile, left : left + columns] = keep[..., None] * source + (1 - keep[..., None]) * target
    return _Tile(top, left, source_top, source_left_chosen, keep)


def _seam_mask(existing: np.ndarray, new: np.ndarray, placed: np.ndarray, overlap: int,
               has_top: bool) -> np.ndarray:
    """1 where the new tile shows: right of the least-difference path through its left overlap
    and below the one through its top overlap (Efros and Freeman's minimum error boundary cut)."""
    difference = ((existing - new) ** 2).sum(axis=2)
    keep = np.ones(difference.shape, np.float32)
    band = min(overlap, difference.shape[1])
    cut = _least_path(difference[:, :band])  # a column for each row
    for row, column in enumerate(cut):
        keep[row, :column] = 0
    if has_top:
        band = min(overlap, difference.shape[0])
        cut = _least_path(difference[:band].T)  # a row for each column
        for column, row in enumerate(cut):
            keep[:row, column] = 0
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


def _render(image: np.ndarray, photo_width: int, tiles: list[_Tile], overlap: int, scale: float) -> np.ndarray:
    """The placed tiles copied from ``image`` at its own resolution, as float32."""
    height, width = image.shape[:2]
    result = _reflect_edge(image.astype(np.float32), photo_width, round(overlap / scale))
    for tile in tiles:
        size_y, size_x = tile.keep.shape
        top, left = round(tile.top / scale), round(tile.left / scale)
        bottom, right = min(height, round((tile.top + size_y) / scale)), min(width, round((tile.left + size_x) / scale))
        source_top, source_left = round(tile.source_top / scale), round(tile.source_left / scale)
        rows, columns = bottom - top, right - left
        rows = min(rows, height - source_top)
        columns = min(columns, photo_width - source_left)
        if rows <= 0 or columns <= 0:
            continue
        keep = tile.keep if scale == 1 else cv2.resize(tile.keep, (right - left, bottom - top),
                                                       interpolation=cv2.INTER_LINEAR)
        keep = keep[:rows, :columns, None]
        source = image[source_top : source_top + rows, source_left : source_left + columns].astype(np.float32)
        target = result[top : top + rows, left : left + columns]
        target[:] = keep * source + (1 - keep) * target
    return result


def _reflect_edge(image: np.ndarray, photo_width: int, columns: int) -> np.ndarray:
    """A float copy of ``image`` whose first ``columns`` beyond the photo mirror the photo's
    last ones (not repeating the edge column itself, so the step across the edge is the photo's own)."""
    result = image.astype(np.float32, copy=True)
    columns = min(columns, result.shape[1] - photo_width, photo_width - 1)
    if columns > 0:
        result[:, photo_width : photo_width + columns] = result[:, photo_width - 1 - columns : photo_width - 1][:, ::-1]
    return result
