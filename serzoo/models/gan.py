"""GAN and conditional GAN in feature space (the baselines of Yi & Mak, eqs. 2-6).

``conditional=False``: ``G(z)`` and ``D(x)`` (eqs. 2-3); it ignores labels, so the per-class baseline needs
one per class (the registered ``"gan"`` trains them as one batched model, :mod:`serzoo.models.per_class_gan`).
``conditional=True``: ``G(z ⊕ y)`` and ``D(x ⊕ y)`` (eqs. 5-6). Both use the non-saturating
generator loss the paper used; D is updated first, then G.

Reference: Goodfellow et al. 2014; Mirza & Osindero 2014; Yi & Mak, journal Sec. III-A/B.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import mlp


@keras.saving.register_keras_serializable(package="serzoo")
class GAN(AdversarialScheme):
    """Feature-space (conditional) GAN.

    Args:
        generator: ``z`` (or ``z ⊕ one_hot(y)``) → features.
        discriminator: features (or ``features ⊕ one_hot(y)``) → logit.
        n_classes: number of classes.
        conditional: cGAN when true.
        seed: seed of the model's ``SeedGenerator``.
    """

    PLAYERS = {"discriminator": ("discriminator",), "generator": ("generator",)}
    NETWORKS = ("generator", "discriminator")
    LOSSES = ("discriminator_loss", "generator_loss")

    def __init__(
        self,
        generator,
        discriminator,
        *,
        n_classes: int,
        conditional: bool = True,
        class_weights=None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.conditional = bool(conditional)
        label_dim = self.n_classes if self.conditional else 0
        self.noise_dim = int(generator.input_shape[-1]) - label_dim
        self.feature_dim = int(discriminator.input_shape[-1]) - label_dim
        self.build((None, self.feature_dim))

    def get_config(self):
        return {**super().get_config(), "conditional": self.conditional}

    def call(self, x, training=False):
        """Discriminator logits of unconditioned input (cGAN: conditioned on class 0)."""
        return self.discriminator(self._with_labels(x, ops.zeros((ops.shape(x)[0],), "int32")), training=training)

    def _with_labels(self, tensor, labels):
        if not self.conditional:
            return tensor
        return ops.concatenate([tensor, self.one_hot(labels)], axis=-1)

    def synthesize(self, noise, labels):
        """``G(z ⊕ y)`` (cGAN) or ``G(z)`` (GAN, labels ignored)."""
        return self.generator(self._with_labels(noise, labels), training=False)

    def _fake_logits(self, y, training):
        """``D(G(z ⊕ y) ⊕ y)`` for fresh noise, one row per label."""
        fake = self.generator(self._with_labels(self.noise(ops.shape(y)[0], self.noise_dim), y), training=training)
        return self.discriminator(self._with_labels(fake, y), training=training)

    def _logits(self, x, y, training):
        fake_logits = self._fake_logits(y, training)
        return self.discriminator(self._with_labels(x, y), training=training), fake_logits

    def compute_losses(self, x, y, training=False):
        real_logits, fake_logits = self._logits(x, y, training)
        return {
            "discriminator_loss": losses.discriminator_loss(real_logits, fake_logits),
            "generator_loss": losses.generator_loss_non_saturating(fake_logits),
        }

    def train_step(self, data):
        x, y = self._unpack(data)
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self._logits(x, y, True)
            discriminator_loss = losses.discriminator_loss(real_logits, fake_logits)
        self._apply(tape, discriminator_loss, "discriminator")
        with tf.GradientTape() as tape:
            generator_loss = losses.generator_loss_non_saturating(self._fake_logits(y, True))  # D on real: not needed
        self._apply(tape, generator_loss, "generator")
        return self._record({"discriminator_loss": discriminator_loss, "generator_loss": generator_loss})


def build_gan(
    input_dim: int,
    n_classes: int,
    *,
    conditional: bool = True,
    noise_dim: int = 100,
    generator_width: int = 800,
    discriminator_width: int = 100,
    **scheme_options,
) -> GAN:
    """GAN/cGAN with G 2 × ``generator_width`` (like ADAN's decoder) and D 2 × ``discriminator_width``."""
    label_dim = n_classes if conditional else 0
    return GAN(
        generator=mlp(noise_dim + label_dim, (generator_width,) * 2, output_dim=input_dim, name="generator"),
        discriminator=mlp(input_dim + label_dim, (discriminator_width,) * 2, output_dim=1, name="discriminator"),
        n_classes=n_classes,
        conditional=conditional,
        **scheme_options,
    )
