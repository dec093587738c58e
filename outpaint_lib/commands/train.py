"""``outpaint train``: a run of the three-phase schedule, new or resumed."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os

from outpaint_lib.commands.options import add_command_parser, add_quiet_option, positive
from outpaint_lib.errors import OutpaintError


def add_command(commands) -> None:
    from outpaint_lib.config import PRESET_STEPS, PRESETS

    training = add_command_parser(
        commands,
        "train",
        run,
        description="Train a generator and its discriminator(s) through the paper's three phases (generator "
        "alone, discriminator alone, both), into a run folder that --resume continues.",
    )
    training.add_argument(
        "--data",
        dest="data_dir",
        metavar="DATA",
        help="folder of training images (searched recursively; a resume takes the run's)",
    )
    training.add_argument("--out", required=True, help="run folder: config, history, plot, samples, checkpoints")
    training.add_argument("--preset", choices=sorted(PRESETS), help="default: paper (or the run's own with --resume)")
    training.add_argument(
        "--steps",
        dest="total_steps",
        metavar="STEPS",
        type=positive,
        help="total training steps, split between the phases by the preset's ratios (18:2:80 "
        "for paper); default: the preset's reference run: "
        + ", ".join(f"{name} {steps:,}" for name, steps in PRESET_STEPS.items()),
    )
    _add_configuration_options(training)
    _add_run_options(training)
    add_quiet_option(training)


def _add_configuration_options(training: argparse.ArgumentParser) -> None:
    """Options that set the run's configuration: each overrides its preset's value."""
    training.add_argument(
        "--batch-size", dest="batch_size", type=positive, help="images per step (default: the preset's, 16 for paper)"
    )
    training.add_argument(
        "--precision",
        choices=["float32", "mixed_bfloat16"],
        help="default: the preset's (float32); mixed_bfloat16 is faster on CPUs that compute it",
    )
    training.add_argument(
        "--image-size",
        dest="image_size",
        type=positive,
        help="side of the square training images, a multiple of 16 (default: the preset's, 128 for paper)",
    )
    training.add_argument(
        "--width-multiplier", dest="width_multiplier", type=float, help="scales every layer's filters (default: 1)"
    )
    training.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="reference B's perspective, brightness, contrast, noise and crop transforms of the "
        "training images (default: the preset's, on for keras256 and unet)",
    )
    training.add_argument("--seed", type=int, help="seed of the weights, data order and augmentation (default: 0)")
    training.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other configuration key, the value read as JSON (repeatable)",
    )


def _add_run_options(training: argparse.ArgumentParser) -> None:
    """How the run is recorded, continued and spread over devices."""
    training.add_argument(
        "--val-data",
        dest="val_dir",
        metavar="VAL_DATA",
        help="validation images (default: hold out 64 training images)",
    )
    training.add_argument(
        "--checkpoint-every",
        dest="checkpoint_every",
        type=positive,
        metavar="STEPS",
        help="write a checkpoint every STEPS steps (default: 500, or the run's own with --resume)",
    )
    training.add_argument(
        "--validate-every",
        dest="validate_every",
        type=positive,
        metavar="STEPS",
        help="validation MSE, sample sheet and loss plot every STEPS steps (default: 100, or "
        "the run's own with --resume)",
    )
    training.add_argument(
        "--resume",
        action="store_true",
        help="continue from the newest complete checkpoint, with the run's own data, validation and "
        "settings (an option that differs from them is refused)",
    )
    training.add_argument(
        "--initial-generator",
        dest="initial_generator",
        metavar="GENERATOR_DIR",
        help="start from this generator's weights (same architecture): fine-tune a pretrained one",
    )
    training.add_argument(
        "--distribute",
        choices=["none", "mirrored", "multi-worker"],
        default="none",
        help="one device (default); every local GPU; or the workers TF_CONFIG lists",
    )
    training.add_argument(
        "--devices",
        type=positive,
        metavar="N",
        help="mirrored: the first N GPUs, or N logical CPU devices on a machine without GPUs",
    )


def run(arguments: argparse.Namespace) -> int:
    """Train a GAN through the three-phase schedule.

    examples:
      outpaint train --data ../shared/data/beach/train --out runs/paper --preset paper   # the paper's run
      outpaint train --data photos/ --out runs/small --preset paper --steps 2000 --image-size 64
      outpaint train --out runs/small --resume                    # continue it, as it was started
    """
    from outpaint_lib.runtime import native_stderr_hidden, start_tensorflow_quietly

    # TensorFlow fixes its devices and collectives when it starts: the strategy comes first.
    with native_stderr_hidden():
        from outpaint_lib.distribution import make_strategy

        strategy = make_strategy(arguments.distribute, arguments.devices)
    start_tensorflow_quietly()
    from outpaint_lib.run_plan import RunRequest
    from outpaint_lib.training import train

    # Each field of the request is the option of the same name.
    request = RunRequest(**{field.name: getattr(arguments, field.name) for field in dataclasses.fields(RunRequest)})
    result = train(configuration(arguments), arguments.out, request, progress=not arguments.quiet, strategy=strategy)
    if not result.chief:
        return 0  # the chief reports the run
    if result.step == result.start_step:
        print(f"the run in {result.run_dir} is already complete ({result.step} steps); nothing was trained")
        return 0
    last = result.history[-1] if result.history else {}
    print(
        f"trained steps {result.start_step + 1}-{result.step} of {result.schedule.total_steps}; "
        f"final validation MSE {last.get('val_mse')}; run folder {result.run_dir}"
    )
    return 0


def configuration(arguments: argparse.Namespace):
    """The configuration the options ask for: the preset's (or, resuming, the run's own), with
    each configuration option and ``--set`` over it."""
    from outpaint_lib.config import OutpaintConfig, get_preset
    from outpaint_lib.run_folder import CONFIG_FILE

    saved = os.path.join(arguments.out, CONFIG_FILE)
    if arguments.resume and arguments.preset is None and os.path.exists(saved):
        config = OutpaintConfig.load(saved)  # continue the run as it was configured
    else:
        config = get_preset(arguments.preset or "paper")
    overrides = dict(_parse_settings(arguments.set))
    for key in ("batch_size", "precision", "image_size", "width_multiplier", "augment", "seed"):
        if getattr(arguments, key) is not None:
            overrides[key] = getattr(arguments, key)
    return config.replace(**overrides)


def _parse_settings(settings: list[str]) -> list[tuple[str, object]]:
    """``KEY=VALUE`` pairs; values are read as JSON (numbers, lists, true) or else as text."""
    parsed = []
    for setting in settings:
        key, separator, text = setting.partition("=")
        if not separator:
            raise OutpaintError(f"--set expects KEY=VALUE, got {setting!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        parsed.append((key.strip(), value))
    return parsed
