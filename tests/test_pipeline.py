import logging

import numpy as np
import pytest
from PIL import Image

from outpaint_lib import geometry
from outpaint_lib.config import KERAS256, PAPER
from outpaint_lib.errors import DataError
from outpaint_lib.geometry import make_example
from outpaint_lib.image_folders import evenly_spaced, scan_folder
from outpaint_lib.images import load_square
from outpaint_lib.pipeline import augment, evaluation_dataset, training_dataset
from support import smooth_image, tiny


def test_scan_finds_images_recursively(image_folder):
    folder = scan_folder(image_folder, 32)
    assert len(folder.paths) == 12 and folder.skipped_count == 0
    assert any(p.parent.name == "nested" for p in folder.paths)


def test_corrupt_files_are_skipped_counted_and_reported_once(image_folder, caplog):
    (image_folder / "empty.jpg").write_bytes(b"")
    (image_folder / "text.png").write_text("not an image")
    good = (image_folder / "image_01.jpg").read_bytes()
    (image_folder / "truncated.jpg").write_bytes(good[: len(good) // 2])
    with caplog.at_level(logging.WARNING):
        folder = scan_folder(image_folder, 32)
    assert len(folder.paths) == 12 and folder.skipped_count == 3
    assert set(folder.skipped) == {"empty", "not_an_image", "corrupt"}
    warnings = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(warnings) == 1 and "skipped 3 of 15 files" in warnings[0].getMessage()


def test_missing_and_empty_folders_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        scan_folder(tmp_path / "absent", 32)
    with pytest.raises(DataError, match="no images"):
        scan_folder(tmp_path, 32)
    (tmp_path / "bad.jpg").write_bytes(b"junk")
    with pytest.raises(DataError, match="none of the 1"):
        scan_folder(tmp_path, 32)


def test_too_few_images_for_a_batch(image_folder):
    with pytest.raises(DataError, match="fewer than one batch of 16"):
        training_dataset(scan_folder(image_folder, 32), tiny(batch_size=16))


@pytest.mark.parametrize("preset", [PAPER, KERAS256], ids=["mask", "crop"])
def test_training_batches_have_the_layout_and_range_of_the_preset(image_folder, preset):
    config = tiny(preset, batch_size=4, augment=False)
    image = next(iter(training_dataset(scan_folder(image_folder, 32), config)))
    batch = make_example(image, config)  # as the GAN's train step cuts it
    channels, width = (4, 32) if preset.input_mode == "mask" else (3, 16)
    assert batch["input"].shape == (4, 32, width, channels)
    assert batch["strips"].shape == (4, 32, 16, 3) and batch["image"].shape == (4, 32, 32, 3)
    low, high = preset.value_range
    image = batch["image"].numpy()
    assert image.min() >= low and image.max() <= high and image.min() < (low + high) / 2 < image.max()
    # The centre (read back from the input) and the strips reassemble the image exactly.
    centre = batch["input"].numpy()[..., 8:24, :3] if preset.input_mode == "mask" else batch["input"].numpy()
    np.testing.assert_array_equal(geometry.assemble_image(centre, batch["strips"]).numpy(), image)


def test_evaluation_data_is_unaugmented_ordered_and_decoded_like_the_files(image_folder):
    config = tiny(batch_size=5)
    folder = scan_folder(image_folder, 32)
    batches = list(evaluation_dataset(folder, config, limit=7))
    assert [b["image"].shape[0] for b in batches] == [5, 2]
    expected = load_square(folder.paths[6], 32).astype(np.float32) / 255
    np.testing.assert_allclose(batches[1]["image"][1].numpy(), expected, atol=1e-6)


def test_seeded_augmentation_is_reproducible_and_varies(image_folder):
    config = tiny(batch_size=4, augment=True)
    folder = scan_folder(image_folder, 32)
    first = next(iter(training_dataset(folder, config, seed=5))).numpy()
    again = next(iter(training_dataset(folder, config, seed=5))).numpy()
    other = next(iter(training_dataset(folder, config, seed=6))).numpy()
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_horizontal_flip_mirrors_about_half_the_images_and_nothing_else(image_folder):
    config = tiny(batch_size=12)
    folder = scan_folder(image_folder, 32)
    plain = next(iter(training_dataset(folder, config, seed=2))).numpy()
    flipped = next(iter(training_dataset(folder, config.replace(horizontal_flip=True), seed=2))).numpy()
    again = next(iter(training_dataset(folder, config.replace(horizontal_flip=True), seed=2))).numpy()
    np.testing.assert_array_equal(flipped, again)
    mirrored = [np.array_equal(f, p[:, ::-1]) for p, f in zip(plain, flipped)]
    unchanged = [np.array_equal(f, p) for p, f in zip(plain, flipped)]
    assert all(m or u for m, u in zip(mirrored, unchanged))
    assert 0 < sum(mirrored) < len(plain)


def test_each_augmentation_transform_fires_about_a_third_of_the_time():
    image = smooth_image(64, 64)
    draws = 600
    unchanged = sum(np.array_equal(augment(image, np.random.default_rng(seed)), image) for seed in range(draws))
    # All five transforms skipped: (2/3)^5 = 13 %; a binomial 99.9 % band around 79 of 600.
    assert 50 <= unchanged <= 112
    assert np.array_equal(augment(image, np.random.default_rng(0), probability=0.0), image)
    changed = augment(image, np.random.default_rng(0), probability=1.0)
    assert changed.shape == image.shape and changed.dtype == np.uint8 and not np.array_equal(changed, image)


def test_real_beach_photos_decode_to_the_model_size(beach_val):
    paths = sorted(beach_val.glob("*.jpg"))[:3]
    for path in paths:
        image = load_square(path, 128)
        assert image.shape == (128, 128, 3) and image.dtype == np.uint8 and image.std() > 1


def test_non_square_images_are_centre_cropped(tmp_path):
    image = np.zeros((20, 60, 3), np.uint8)
    image[:, 20:40] = 200  # only the centred 20 x 20 square is bright
    Image.fromarray(image).save(tmp_path / "wide.png")
    square = load_square(tmp_path / "wide.png", 20)
    assert square.shape == (20, 20, 3) and square.min() == 200


def test_evenly_spaced_spans_the_whole_list():
    assert evenly_spaced(list(range(10)), 3) == [0, 4, 9]
    assert evenly_spaced(list(range(10)), 1) == [0]
    assert evenly_spaced([1, 2], 8) == [1, 2]


def test_workers_read_disjoint_shares_of_the_files_in_their_own_batch_size(image_folder):
    config = tiny(batch_size=4, augment=False)
    folder = scan_folder(image_folder, 32)
    for index in range(2):
        share = next(iter(training_dataset(folder, config, batch_size=3, shard=(index, 2)))).numpy()
        assert share.shape[0] == 3
        own = [load_square(path, 32).astype(np.float32) / 255 for path in folder.paths[index::2]]
        others = [load_square(path, 32).astype(np.float32) / 255 for path in folder.paths[1 - index :: 2]]
        assert all(any(np.allclose(image, file) for file in own) for image in share)
        assert not any(np.allclose(image, file) for image in share for file in others)
    with pytest.raises(DataError, match="in worker 1's share of 2, fewer than one batch of 8"):
        training_dataset(folder, config, batch_size=8, shard=(1, 2))
