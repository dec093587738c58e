"""Labelled picture sheets: images laid out in rows under a band of column labels, drawn with
OpenCV into one uint8 image (training's sample sheets, the checkpoint's sample sheet)."""

from __future__ import annotations

import cv2
import numpy as np

LABEL_FONT = cv2.FONT_HERSHEY_SIMPLEX


def label_row(labels: list[str], column_width: int, image_size: int) -> np.ndarray:
    """A white band holding each label centred over its column, sized to the images."""
    height = max(10, image_size // 8)
    row = np.full((height, column_width * len(labels), 3), 255, np.uint8)
    for index, label in enumerate(labels):
        (width, text_height), _ = cv2.getTextSize(label, LABEL_FONT, 1.0, 1)
        scale = min(0.9 * column_width / width, 0.6 * height / text_height)
        (width, text_height), _ = cv2.getTextSize(label, LABEL_FONT, scale, 1)
        origin = (index * column_width + (column_width - width) // 2, (height + text_height) // 2)
        cv2.putText(row, label, origin, LABEL_FONT, scale, (40, 40, 40), 1, cv2.LINE_AA)
    return row


def labelled_grid(rows: list[list[np.ndarray]], labels: list[str]) -> np.ndarray:
    """Rows of equally sized images, one column per label, under a band of the labels."""
    grid = np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)
    height, width = rows[0][0].shape[:2]
    return np.concatenate([label_row(labels, width, height), grid], axis=0)
