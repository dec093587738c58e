"""The layout of a training run's folder, and of the generator and checkpoint folders in it.

Every module that reads or writes a run takes its names from here, so the layout can be read
(and changed) in one place. Runs written by earlier versions use the same names.

    RUN/
      config.json            the run's configuration (OutpaintConfig)
      run.json               its data, validation folder and schedule, for --resume
      history.jsonl          one row per step
      losses.png             the phase-loss plot
      samples/               sample sheets at each validation
      generator/             the newest generator, for paint: config.json + generator.weights.h5
      generator_phase1/      the generator as it stood after phase 1
      checkpoints/step-NNNNNNNNN/
                             both networks' weights, both optimizers' state, state.json
"""

CONFIG_FILE = "config.json"
RUN_FILE = "run.json"
HISTORY_FILE = "history.jsonl"
PLOT_FILE = "losses.png"
SAMPLES_FOLDER = "samples"
GENERATOR_FOLDER = "generator"
PHASE_ONE_GENERATOR_FOLDER = "generator_phase1"
CHECKPOINT_FOLDER = "checkpoints"

# A generator folder (the shipped checkpoint/ is one): the configuration and the weights.
GENERATOR_WEIGHTS_FILE = "generator.weights.h5"

# A checkpoint folder.
STATE_FILE = "state.json"
NETWORK_FILES = {
    "generator": "generator.weights.h5",
    "discriminator": "discriminator.weights.h5",
}
OPTIMIZER_FILES = {
    "generator_optimizer": "generator_optimizer.h5",
    "discriminator_optimizer": "discriminator_optimizer.h5",
}

# Beside a generator folder's weights, optionally: the generator exported to LiteRT, and the
# SHA-256 of the weights it was exported from (a stale export is never used).
LITE_MODEL_FILE = "generator.tflite"
LITE_SOURCE_FILE = "generator.tflite.json"
