import json

import pytest

from outpaint_lib.config import (
    KERAS256,
    PAPER,
    PAPER_LOCAL,
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
    with pytest.raises(ConfigError, match="only the paper generator"):
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


def test_unknown_preset():
    assert get_preset("paper") is PAPER
    with pytest.raises(ConfigError, match="keras256"):
        get_preset("nope")


def test_keras256_dilations_must_fit_the_feature_maps():
    # At 64 px the centre crop's feature maps are 8 columns wide; dilation 16 reads only padding.
    with pytest.raises(ConfigError, match="dilations \\[16\\]"):
        KERAS256.replace(image_size=64)
    assert KERAS256.replace(image_size=64, generator_dilations=(2, 4, 8)).image_size == 64
