import numpy as np
import pytest

from outpaint_lib.baselines import BASELINES, edge_replication, mean_fill
from outpaint_lib.metrics import strip_rmse
from support import smooth_image


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_baselines_keep_the_centre_and_fill_the_strips(name):
    centre = smooth_image(32, 16)
    filled = BASELINES[name](centre, 8)
    assert filled.shape == (32, 32, 3) and filled.dtype == np.uint8
    np.testing.assert_array_equal(filled[:, 8:24], centre)


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_a_flat_image_is_filled_almost_perfectly(name):
    image = np.full((32, 32, 3), (40, 120, 200), np.uint8)
    # Telea accumulates rounding of a unit or two far from the known edge.
    assert strip_rmse(image, BASELINES[name](image[:, 8:24], 8), 8) <= 2


def test_edge_replication_and_mean_fill_values():
    centre = smooth_image(16, 8)
    replicated = edge_replication(centre, 4)
    np.testing.assert_array_equal(replicated[:, :4], np.repeat(centre[:, :1], 4, axis=1))
    np.testing.assert_array_equal(replicated[:, 12:], np.repeat(centre[:, -1:], 4, axis=1))
    filled = mean_fill(centre, 4)
    np.testing.assert_array_equal(filled[0, 0], np.rint(centre.reshape(-1, 3).mean(0)))


def test_inpainting_beats_mean_fill_on_a_smooth_image():
    image = smooth_image(64, 64)
    centre = image[:, 16:48]
    telea = strip_rmse(image, BASELINES["telea"](centre, 16), 16)
    assert telea < strip_rmse(image, BASELINES["mean_fill"](centre, 16), 16)
