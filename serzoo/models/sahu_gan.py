"""M1 and M2 of Sahu et al., "On enhancing speech emotion recognition using generative adversarial
networks" (Interspeech 2018): AAE-based generators of synthetic feature vectors.

- M1: an :class:`~serzoo.models.aae.AAE` with the deeper 1582→1000→500→100→2 encoder (mirrored
  decoder), discriminator D1 on ``code ⊕ one-hot`` (→1000→500→100→1), one prior Gaussian per class
  (the paper's four orthogonal 2-D Gaussians, generalised to C classes).
- M2: M1 plus a feature-space discriminator D2 on ``features ⊕ one-hot`` (→1000→500→100→1) that
  tells real feature vectors from decoded prior samples; the decoder also learns to fool D2.

M3 (code generator, auxiliary head, InfoGAN term) is not built yet.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.aae import AAE, aae_networks
from serzoo.networks import mlp

M1_WIDTHS = (1000, 500, 100)


@keras.saving.register_keras_serializable(package="serzoo")
class M2(AAE):
    """M1 plus the feature-space discriminator D2 (Sahu et al. 2018).

    Per batch: the three AAE updates of M1, then D2 on real vs ``decoder(prior sample)`` (both with
    the one-hot label), then the decoder against the frozen D2.
    """

    PLAYERS = {**AAE.PLAYERS, "feature_discriminator": ("feature_discriminator",), "decoder": ("decoder",)}
    LOSSES = (*AAE.LOSSES, "feature_discriminator_loss", "decoder_adversarial_loss")
    NETWORKS = (*AAE.NETWORKS, "feature_discriminator")

    def __init__(self, encoder, decoder, discriminator, feature_discriminator, **kwargs):
        self.feature_discriminator = feature_discriminator
        super().__init__(encoder, decoder, discriminator, **kwargs)

    def _feature_scores(self, features, y, training):
        return self.feature_discriminator(ops.concatenate([features, self.one_hot(y)], axis=-1), training=training)

    def _decoded_prior(self, y, training):
        return self.decoder(self.prior_sample(self.noise(ops.shape(y)[0], self.code_dim), y), training=training)

    def compute_losses(self, x, y, training=False):
        result = super().compute_losses(x, y, training)
        fake = self._feature_scores(self._decoded_prior(y, training), y, training)
        result["feature_discriminator_loss"] = losses.discriminator_loss(
            self._feature_scores(x, y, training), fake)
        result["decoder_adversarial_loss"] = losses.generator_loss_non_saturating(fake)
        return result

    def train_step(self, data):
        x, y = data[0], data[1]
        result = self._autoencoder_phases(x, y)
        decoded = ops.stop_gradient(self._decoded_prior(y, True))
        with tf.GradientTape() as tape:  # D2: real features vs decoded prior samples
            d2_loss = losses.discriminator_loss(
                self._feature_scores(x, y, True), self._feature_scores(decoded, y, True))
        self._apply(tape, d2_loss, "feature_discriminator")
        with tf.GradientTape() as tape:  # the decoder fools the frozen D2
            decoder_loss = losses.generator_loss_non_saturating(
                self._feature_scores(self._decoded_prior(y, True), y, True))
        self._apply(tape, decoder_loss, "decoder")
        result.update(feature_discriminator_loss=d2_loss, decoder_adversarial_loss=decoder_loss)
        return self._record(result)


def build_m1(input_dim: int, n_classes: int, *, code_dim: int = 2, widths=M1_WIDTHS, **scheme_options) -> AAE:
    """M1: AAE ``input → 1000 → 500 → 100 → 2`` (mirrored decoder), D1 ``code ⊕ one-hot → 1000 → 500 → 100 → 1``."""
    networks = aae_networks(input_dim, n_classes, code_dim=code_dim, widths=tuple(widths),
                            discriminator_widths=tuple(widths), dropout=0.0)
    return AAE(**networks, n_classes=n_classes, **scheme_options)


def build_m2(input_dim: int, n_classes: int, *, code_dim: int = 2, widths=M1_WIDTHS, **scheme_options) -> M2:
    """M2: M1 plus D2 ``features ⊕ one-hot → 1000 → 500 → 100 → 1``."""
    networks = aae_networks(input_dim, n_classes, code_dim=code_dim, widths=tuple(widths),
                            discriminator_widths=tuple(widths), dropout=0.0)
    critic = mlp(input_dim + n_classes, tuple(widths), output_dim=1, name="feature_discriminator")
    return M2(**networks, feature_discriminator=critic, n_classes=n_classes, **scheme_options)
