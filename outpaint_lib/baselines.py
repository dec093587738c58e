"""Classical fills of the same hidden strips, the yardstick every model result stands beside."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

INPAINT_RADIUS = 3


def mean_fill(centre: np.ndarray, strip_width: int) -> np.ndarray:
    """Each strip painted in the centre's mean colour."""
    colour = centre.reshape(-1, 3).mean(axis=0)
    strip = np.broadcast_to(np.rint(colour).astype(np.uint8), (centre.shape[0], strip_width, 3))
    return np.concatenate([strip, centre, strip], axis=1)


def edge_replication(centre: np.ndarray, strip_width: int) -> np.ndarray:
    """Each strip repeats the centre's outermost column."""
    return cv2.copyMakeBorder(centre, 0, 0, strip_width, strip_width, cv2.BORDER_REPLICATE)


def _inpaint(method: int) -> Callable[[np.ndarray, int], np.ndarray]:
    def fill(centre: np.ndarray, strip_width: int) -> np.ndarray:
        canvas = cv2.copyMakeBorder(centre, 0, 0, strip_width, strip_width, cv2.BORDER_CONSTANT, value=0)
        mask = np.full(canvas.shape[:2], 255, dtype=np.uint8)
        mask[:, strip_width : strip_width + centre.shape[1]] = 0
        return cv2.inpaint(np.ascontiguousarray(canvas), mask, INPAINT_RADIUS, method)

    return fill


telea_inpaint = _inpaint(cv2.INPAINT_TELEA)
telea_inpaint.__doc__ = "OpenCV's fast-marching inpainting (Telea 2004) of the strips."
navier_stokes_inpaint = _inpaint(cv2.INPAINT_NS)
navier_stokes_inpaint.__doc__ = "OpenCV's Navier-Stokes inpainting of the strips."

BASELINES: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "mean_fill": mean_fill,
    "edge_replication": edge_replication,
    "telea": telea_inpaint,
    "navier_stokes": navier_stokes_inpaint,
}
