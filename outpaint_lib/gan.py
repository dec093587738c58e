"""The GAN as one Keras model whose train step runs the current phase of the paper's schedule.

Each update takes gradients of one network's explicit variable list and applies them with that
network's own optimizer, so a phase can never move weights it does not own (the Keras 2
``trainable = False`` recipe silently fails in Keras 3).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from outpaint_lib import geometry, losses
from outpaint_lib.config import OutpaintConfig
from outpaint_lib.models import build_discriminator, build_generator
from outpaint_lib.schedule import Schedule


def adam(learning_rate, beta_1: float, beta_2: float, epsilon: float) -> keras.optimizers.Adam:
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)


def learning_rate(config: OutpaintConfig, initial: float, updates: int):
    """The rate of one network: constant, or annealed by a cosine over the ``updates`` that
    network gets in the run. The schedule reads the optimizer's own update count, which the
    checkpoints restore, so a resumed run continues the curve where it stopped."""
    if config.learning_rate_decay == "constant" or updates < 1:
        return initial
    return keras.optimizers.schedules.CosineDecay(
        initial, decay_steps=updates, alpha=config.final_learning_rate_fraction
    )


def replica_share(loss):
    """A replica's part of the global mean loss: a strategy sums the replicas' gradients, so
    each replica differentiates its own batch's mean divided by their number (a no-op on one
    device). Every replica's batch is the same size, the global batch being divisible."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss / replicas if replicas > 1 else loss


def _reducible(logs: dict) -> dict:
    """Keras 3 averages a step's logs over a multi-worker strategy's replicas along axis 0,
    which a scalar lacks (tensorflow/tensorflow#72388): there, each gets an axis of length 1."""
    if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
        return {key: ops.reshape(value, (1,)) for key, value in logs.items()}
    return logs


class OutpaintGAN(keras.Model):
    """Owns the generator and the discriminator (global, and local where configured)."""

    def __init__(self, config: OutpaintConfig, **kwargs):
        super().__init__(name="outpaint_gan", **kwargs)
        self.config = config
        self.generator = build_generator(config)
        self.discriminator = build_discriminator(config)
        self._phase = 1

    def compile(self, schedule: Schedule | None = None, **kwargs):
        """``schedule`` is the run's phase split, which a decaying learning rate needs to know
        how many updates each network gets; without it the rates stay constant."""
        config = self.config
        super().compile(jit_compile=False, **kwargs)
        generator_updates = discriminator_updates = 0
        if schedule is not None:
            first, second, third = schedule.phase_steps
            generator_updates = first + third * config.generator_updates_per_step
            discriminator_updates = second + third
        self.generator_optimizer = adam(
            learning_rate(config, config.generator_learning_rate, generator_updates),
            config.generator_beta_1,
            config.generator_beta_2,
            config.generator_epsilon,
        )
        self.discriminator_optimizer = adam(
            learning_rate(config, config.discriminator_learning_rate, discriminator_updates),
            config.discriminator_beta_1,
            config.discriminator_beta_2,
            config.discriminator_epsilon,
        )
        # Built now so that a checkpoint's optimizer state has variables to be restored into.
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

    @property
    def phase(self) -> int:
        return self._phase

    @phase.setter
    def phase(self, phase: int) -> None:
        """Switch phase. The phase is read while tracing, so the step function is rebuilt."""
        if phase not in (1, 2, 3):
            raise ValueError(f"phase must be 1, 2 or 3, not {phase!r}")
        if phase != self._phase:
            self._phase = phase
            if self.train_function is not None:
                self.make_train_function(force=True)

    def call(self, images, training=False):
        """The generator's painting of a batch of training images, whose strips it does not
        see: what ``fit`` calls to build the model under a distribution strategy."""
        return self.generator(geometry.make_example(images, self.config)["input"], training=training)

    def train_step(self, images):
        """One step of the current phase on a batch of whole images (in the model's range).
        The generator's input and the hidden strips are cut from them here, in the step: a
        batch of one tensor is what every strategy can split and reduce."""
        batch = geometry.make_example(images, self.config)
        if self._phase == 1:
            return _reducible(self._generator_update(batch, adversarial=False))
        if self._phase == 2:
            return _reducible(self._discriminator_update(batch))
        logs = self._discriminator_update(batch)
        for _ in range(self.config.generator_updates_per_step):
            generator_logs = self._generator_update(batch, adversarial=True)
        return _reducible({**logs, **generator_logs})

    @property
    def _patch(self) -> bool:
        return self.config.discriminator_architecture == "patch"

    def _fake_view(self, generator_output, batch):
        centre = geometry.split_image(batch["image"], self.config.strip_width)[0]
        image = geometry.generated_image(generator_output, centre, self.config)
        return geometry.discriminator_view(image, self.config)

    def _judge(self, images, training: bool):
        """The discriminator's verdict (probabilities, or patch scores) and its features (an
        empty list but for the patch discriminator)."""
        outputs = self.discriminator(images, training=training)
        if self._patch:
            return outputs[0], outputs[1:]
        return outputs, []

    def _generated_cells(self, scores):
        """The patch scores of the cells that lie over the generated strips. A composite's
        centre cells show the real photo, and are not asked to look fake."""
        cells = self.config.strip_width * scores.shape[2] // self.config.image_size
        return geometry.split_image(scores, cells)[1]

    def _discriminator_update(self, batch):
        config = self.config
        generator_output = self.generator(batch["input"], training=False)
        real = geometry.discriminator_view(batch["image"], config)
        fake = ops.stop_gradient(self._fake_view(generator_output, batch))
        batch_size = ops.shape(real)[0]
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            # One pass over real and fake together: a larger matrix product for the CPU.
            verdict, _ = self._judge(ops.concatenate([real, ops.cast(fake, real.dtype)], 0), training=True)
            real_verdict, fake_verdict = verdict[:batch_size], verdict[batch_size:]
            if self._patch:
                fake_verdict = self._generated_cells(fake_verdict)
                loss = losses.hinge_discriminator_loss(real_verdict, fake_verdict)
            else:
                loss = losses.discriminator_loss(real_verdict, fake_verdict, config.log_epsilon)
            share = replica_share(loss)
        gradients = tape.gradient(share, variables)
        self.discriminator_optimizer.apply_gradients(zip(gradients, variables))
        return {"d_loss": loss, "d_real": ops.mean(real_verdict), "d_fake": ops.mean(fake_verdict)}

    def _generator_update(self, batch, adversarial: bool):
        config = self.config
        variables = self.generator.trainable_variables
        logs = {}
        with tf.GradientTape() as tape:
            generator_output = self.generator(batch["input"], training=True)
            reconstruction = losses.identity_loss(batch["strips"], geometry.generated_strips(generator_output, config))
            loss = config.reconstruction_weight * reconstruction
            if adversarial:
                fake_verdict, fake_features = self._judge(self._fake_view(generator_output, batch), training=False)
                if self._patch:
                    adversarial_term = losses.hinge_generator_loss(self._generated_cells(fake_verdict))
                else:
                    adversarial_term = losses.adversarial_loss(
                        fake_verdict, config.adversarial_loss, config.log_epsilon
                    )
                loss = losses.joint_generator_loss(
                    reconstruction, adversarial_term, config.reconstruction_weight, config.adversarial_weight
                )
                if config.feature_matching_weight:
                    real = geometry.discriminator_view(batch["image"], config)
                    _, real_features = self._judge(real, training=False)
                    matching = losses.feature_matching_loss(
                        [ops.stop_gradient(f) for f in real_features], fake_features
                    )
                    loss = loss + config.feature_matching_weight * matching
                    logs["feature_matching"] = matching
                logs["g_loss"] = loss
            share = replica_share(loss)
        gradients = tape.gradient(share, variables)
        self.generator_optimizer.apply_gradients(zip(gradients, variables))
        return {"mse": reconstruction, **logs}
