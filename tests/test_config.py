import json

import pytest

from outpaint_lib.config import (
    ARCHITECTURE_KEYS,
    KERAS256,
    PAPER,
    PAPER_LOCAL,
    UNET,
    ConfigError,
    OutpaintConfig,
    architecture_differences,
    get_preset,
)


def test_paper_preset_is_reference_a():
    assert (PAPER.image_size, PAPER.strip_width, PAPER.centre_width) == (128, 32, 64)
    assert PAPER.input_mode == "mask" and PAPER.input_channels == 4
    assert PAPER.output_activation == "sigmoid" and PAPER.value_range == (0.0, 1.0)
    assert PAPER.generator_dilations == (2, 4, 8)
    assert not PAPER.use_local_discriminator
    assert PAPER.adversarial_weight == 0.0004 and PAPER.log_epsilon == 1e-9
    assert (PAPER.generator_learning_rate, PAPER.generator_beta_1, PAPER.generator_beta_2) == (1e-3, 0.9, 0.999)
    assert PAPER.generator_epsilon == 1e-8 and PAPER.discriminator_epsilon == 1e-8
    assert PAPER.phase_ratios == (18, 2, 80) and PAPER.batch_size == 16


def test_paper_local_differs_from_paper_only_by_the_local_discriminator():
    differing = {k for k, v in PAPER_LOCAL.to_dict().items() if PAPER.to_dict()[k] != v}
    assert differing == {"name", "use_local_discriminator"}


def test_keras256_preset_is_reference_b():
    assert KERAS256.image_size == 256 and KERAS256.input_mode == "crop" and KERAS256.input_channels == 3
    assert KERAS256.output_activation == "tanh" and KERAS256.value_range == (-1.0, 1.0)
    assert KERAS256.generator_dilations == (2, 4, 8, 16)
    assert KERAS256.dropout_rate == 0.25 and KERAS256.instance_normalization
    assert KERAS256.discriminator_view == "strips" and KERAS256.batch_size == 1
    assert (KERAS256.generator_learning_rate, KERAS256.discriminator_learning_rate) == (1e-3, 1e-4)
    assert KERAS256.generator_beta_1 == KERAS256.discriminator_beta_1 == 0.5


def test_json_round_trip(tmp_path):
    path = tmp_path / "config.json"
    for preset in (PAPER, PAPER_LOCAL, KERAS256):
        preset.save(path)
        assert OutpaintConfig.load(path) == preset


def test_unknown_and_missing_keys_are_named():
    values = PAPER.to_dict()
    del values["seed"]
    values["learning_rate_typo"] = 1
    with pytest.raises(ConfigError) as error:
        OutpaintConfig.from_dict(values)
    assert "learning_rate_typo" in str(error.value) and "seed" in str(error.value)


def test_a_configuration_saved_before_the_later_settings_loads_as_it_was_trained():
    values = PAPER.to_dict()
    for key in ("learning_rate_decay", "final_learning_rate_fraction", "generator_upsampling", "horizontal_flip"):
        del values[key]
    loaded = OutpaintConfig.from_dict(values)
    assert loaded == PAPER
    assert (loaded.learning_rate_decay, loaded.generator_upsampling, loaded.horizontal_flip) == (
        "constant", "transposed", False,
    )
    assert OutpaintConfig.from_dict({**values, "learning_rate_decay": "cosine"}).learning_rate_decay == "cosine"


def test_a_configuration_holding_the_removed_strip_fraction_still_loads():
    """outpaint_fraction could only be 0.25 and every strip computation assumed it: it is gone
    from the configuration, and files that hold it load as before."""
    assert "outpaint_fraction" not in PAPER.to_dict()
    assert OutpaintConfig.from_dict({**PAPER.to_dict(), "outpaint_fraction": 0.25}) == PAPER
    with pytest.raises(ConfigError, match="unknown keys: outpaint_fraction"):
        OutpaintConfig.from_dict({**PAPER.to_dict(), "outpaint_fraction": 0.3})


def test_invalid_values_are_refused_with_their_key():
    with pytest.raises(ConfigError, match="input_mode"):
        PAPER.replace(input_mode="patches")
    with pytest.raises(ConfigError, match="image_size"):
        PAPER.replace(image_size=100)
    with pytest.raises(ConfigError, match="unknown configuration keys: colour"):
        PAPER.replace(colour="red")
    with pytest.raises(ConfigError, match="learning_rate_decay='linear'"):
        PAPER.replace(learning_rate_decay="linear")
    with pytest.raises(ConfigError, match="final_learning_rate_fraction=1.5"):
        PAPER.replace(final_learning_rate_fraction=1.5)
    with pytest.raises(ConfigError, match="generator_upsampling='bicubic'"):
        PAPER.replace(generator_upsampling="bicubic")
    with pytest.raises(ConfigError, match="keras256 keeps its transposed convolutions"):
        KERAS256.replace(generator_upsampling="bilinear")


def test_load_reports_bad_json_and_missing_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        OutpaintConfig.load(broken)
    with pytest.raises(ConfigError, match="cannot read"):
        OutpaintConfig.load(tmp_path / "absent.json")
    array = tmp_path / "array.json"
    array.write_text(json.dumps([1, 2]))
    with pytest.raises(ConfigError, match="object"):
        OutpaintConfig.load(array)


def test_architecture_differences_ignore_training_settings():
    assert architecture_differences(PAPER, PAPER.replace(batch_size=4, seed=3, precision="mixed_bfloat16")) == []
    assert architecture_differences(PAPER, PAPER_LOCAL) == ["use_local_discriminator"]
    assert architecture_differences(PAPER, PAPER.replace(width_multiplier=0.5)) == ["width_multiplier"]


def test_architecture_keys_are_every_field_that_shapes_a_layer():
    # Derived from the fields' metadata, so a new architectural setting cannot be forgotten.
    assert {"generator_upsampling", "input_fill", "generator_row_context", "image_size",
            "generator_gated_convolutions", "generator_fourier_unit"} <= set(ARCHITECTURE_KEYS)
    assert not {"batch_size", "learning_rate_decay", "adversarial_weight", "precision"} & set(ARCHITECTURE_KEYS)
    assert architecture_differences(PAPER, PAPER.replace(generator_upsampling="bilinear")) == ["generator_upsampling"]


@pytest.mark.parametrize("key, value, expected", [
    ("image_size", "abc", "image_size='abc' (expected int)"),
    ("image_size", 128.0, "image_size=128.0 (expected int)"),
    ("augment", "yes", "augment='yes' (expected bool)"),
    ("batch_size", True, "batch_size=True (expected int)"),
    ("learning_rate_decay", 3, "learning_rate_decay=3 (expected str)"),
    ("phase_ratios", [1, 2], "phase_ratios=(1, 2) (expected 3 int values)"),
    ("generator_dilations", ["a"], "generator_dilations=('a',) (expected int values)"),
    ("value_range", 1, "value_range=1 (expected 2 float values)"),
])
def test_every_field_is_checked_for_its_type(key, value, expected):
    with pytest.raises(ConfigError) as raised:
        PAPER.replace(**{key: value})
    assert expected in str(raised.value)
    assert PAPER.replace(adversarial_weight=1).adversarial_weight == 1  # an int is a valid float


def test_unet_preset_is_our_design_beside_the_references():
    assert UNET.generator_architecture == "unet" and UNET.discriminator_architecture == "patch"
    assert UNET.input_fill == "edge" and UNET.generator_row_context and UNET.generator_dilations == (1, 2, 5)
    assert UNET.adversarial_loss == "hinge" and UNET.feature_matching_weight > 0
    # The references are untouched by the settings it introduced.
    for reference in (PAPER, PAPER_LOCAL, KERAS256):
        assert reference.input_fill == "mean" and not reference.generator_row_context
        assert reference.feature_matching_weight == 0


def test_unet_settings_that_do_not_fit_together_are_refused():
    with pytest.raises(ConfigError, match="resizes"):
        UNET.replace(generator_upsampling="transposed")
    with pytest.raises(ConfigError, match="go together"):
        UNET.replace(adversarial_loss="cross_entropy")
    with pytest.raises(ConfigError, match="go together"):
        PAPER.replace(adversarial_loss="hinge")
    with pytest.raises(ConfigError, match="feature_matching_weight needs"):
        PAPER.replace(feature_matching_weight=1.0)
    for key in ("generator_row_context", "generator_gated_convolutions", "generator_fourier_unit"):
        with pytest.raises(ConfigError, match=f"{key} needs"):
            PAPER.replace(**{key: True})


def test_unknown_preset():
    assert get_preset("paper") is PAPER
    with pytest.raises(ConfigError, match="keras256"):
        get_preset("nope")


def test_keras256_dilations_must_fit_the_feature_maps():
    # At 64 px the centre crop's feature maps are 8 columns wide; dilation 16 reads only padding.
    with pytest.raises(ConfigError, match="dilations \\[16\\]"):
        KERAS256.replace(image_size=64)
    assert KERAS256.replace(image_size=64, generator_dilations=(2, 4, 8)).image_size == 64


def test_an_image_size_that_is_not_a_multiple_of_16_blames_only_the_size():
    """Issue 19, defect 13: ``--image-size 30`` also blamed outpaint_fraction, never set."""
    with pytest.raises(ConfigError) as raised:
        PAPER.replace(image_size=30)
    assert str(raised.value) == "invalid configuration: image_size=30 (must be a multiple of 16)"
