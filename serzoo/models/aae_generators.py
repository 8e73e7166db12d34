"""M1, M2 and M3 of Sahu et al., "Modeling feature representations for affective speech using
generative adversarial networks" (IEEE TAC; Interspeech 2018): AAE-based generators of synthetic
feature vectors. All three share the AAE's per-batch steps 1-3 (:class:`~serzoo.models.aae.AAE`).

- M1: an AAE with the deeper 1582→1000→500→100→2 encoder (mirrored decoder), discriminator D1 on
  ``code ⊕ one-hot`` (→1000→500→100→1), one prior Gaussian per class (the paper's four orthogonal
  2-D Gaussians, generalised to C classes).
- M2: M1 plus a feature-space discriminator D2 on ``features ⊕ one-hot`` (→1000→500→100→1) that
  tells real feature vectors from decoded prior samples (step 4); the decoder learns to fool it
  (step 5, ``generator_steps`` times per D2 update: "the generators were trained for two epochs for
  every single epoch of training D2").
- M3: a 256-D code (1582→1000→700→300→256); the prior is learned: a code generator
  CG(z ⊕ c) (20-D normal z, 24→140→256) replaces the GMM, D1 tells ``E(x)`` from ``CG(z, c)``
  (eq. 5), D2 gains an auxiliary head (→128→C on D2's last hidden layer) and CG + decoder minimise
  ``-log D2(dec(CG(z, c)), c) + λ·CE(AUX(dec(CG(z, c))), c)``, the InfoGAN mutual-information term
  (eqs. 3 and 9, λ = 1), which also trains the auxiliary head.

The component/condition labels of the prior samples are the batch's labels (the training label
distribution); the paper draws them uniformly, which on an unbalanced corpus lets a label-conditioned
discriminator spot prior samples by their label frequencies alone. The paper's per-player SGD settings are
:data:`serzoo.schedules.SAHU_SGD` (schedule ``paper``); the schemes' own default is Adam(1e-4) for every player.

Example:
    >>> model = build_m3(1582, 4)
    >>> model.compile(**training_for("m3", "paper").optimizers("m3", model.PLAYERS))
    >>> model.fit(x, y, batch_size=128, epochs=300)          # doctest: +SKIP
    >>> synthetic = model.generate(y)                        # doctest: +SKIP
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.aae import AAE, aae_networks
from serzoo.networks import mlp

M1_WIDTHS = (1000, 500, 100)
M3_WIDTHS = (1000, 700, 300)


@keras.saving.register_keras_serializable(package="serzoo")
class M2(AAE):
    """M1 plus the feature-space discriminator D2 (Sahu et al., steps 4-5).

    Args:
        feature_discriminator: ``features ⊕ one_hot(y) → logit``.
        generator_steps: decoder updates per D2 update (paper: 2).
        Others: as :class:`~serzoo.models.aae.AAE`.
    """

    PLAYERS = {**AAE.PLAYERS, "feature_discriminator": ("feature_discriminator",), "decoder": ("decoder",)}
    LOSSES = (*AAE.LOSSES, "feature_discriminator_loss", "decoder_adversarial_loss")
    NETWORKS = (*AAE.NETWORKS, "feature_discriminator")

    def __init__(self, encoder, decoder, discriminator, feature_discriminator, *, generator_steps: int = 2, **kwargs):
        self.feature_discriminator = feature_discriminator
        self.generator_steps = int(generator_steps)
        if self.generator_steps < 1:
            raise ValueError(f"generator_steps must be >= 1, got {generator_steps}")
        super().__init__(encoder, decoder, discriminator, **kwargs)

    def get_config(self):
        return {**super().get_config(), "generator_steps": self.generator_steps}

    def _feature_scores(self, features, y, training):
        return self.feature_discriminator(ops.concatenate([features, self.one_hot(y)], axis=-1), training=training)

    def _decoded_prior(self, y, training):
        return self.decoder(self.draw_prior(y), training=training)

    def _decoder_losses(self, y, training) -> tuple:
        """Step 5's objective and its tracked parts: decoded prior samples fool the frozen D2."""
        adversarial = losses.generator_loss_non_saturating(
            self._feature_scores(self._decoded_prior(y, training), y, training)
        )
        return adversarial, {"decoder_adversarial_loss": adversarial}

    def compute_losses(self, x, y, training=False):
        result = super().compute_losses(x, y, training)
        result["feature_discriminator_loss"] = losses.discriminator_loss(
            self._feature_scores(x, y, training), self._feature_scores(self._decoded_prior(y, training), y, training)
        )
        result.update(self._decoder_losses(y, training)[1])
        return result

    def train_step(self, data):
        x, y = self._unpack(data)
        result = self._autoencoder_phases(x, y)
        decoded = ops.stop_gradient(self._decoded_prior(y, True))
        with tf.GradientTape() as tape:  # step 4: D2 on real features vs decoded prior samples
            d2_loss = losses.discriminator_loss(
                self._feature_scores(x, y, True), self._feature_scores(decoded, y, True)
            )
        self._apply(tape, d2_loss, "feature_discriminator")
        for _ in range(self.generator_steps):  # step 5: the generator side fools the frozen D2
            with tf.GradientTape() as tape:
                objective, parts = self._decoder_losses(y, True)
            self._apply(tape, objective, "decoder")
        result.update(feature_discriminator_loss=d2_loss, **parts)
        return self._record(result)


@keras.saving.register_keras_serializable(package="serzoo")
class M3(M2):
    """M2 with a learned prior: code generator CG, D2's auxiliary head and the InfoGAN term (Sahu et al.).

    Args:
        feature_discriminator: ``features ⊕ one_hot(y) → [logit, last hidden layer]``.
        code_generator: ``z ⊕ one_hot(c) → code`` (its input size fixes the noise size).
        auxiliary: D2's auxiliary head, ``last hidden layer → class logits``.
        mi_weight: λ of the mutual-information term (paper: 1).
        Others: as :class:`M2`.
    """

    PLAYERS = {**M2.PLAYERS, "decoder": ("code_generator", "decoder", "auxiliary")}
    LOSSES = (*M2.LOSSES, "mutual_information_loss")
    NETWORKS = (*M2.NETWORKS, "code_generator", "auxiliary")

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        feature_discriminator,
        code_generator,
        auxiliary,
        *,
        mi_weight: float = 1.0,
        **kwargs,
    ):
        self.code_generator, self.auxiliary = code_generator, auxiliary
        self.mi_weight = float(mi_weight)
        super().__init__(encoder, decoder, discriminator, feature_discriminator, **kwargs)
        self.noise_dim = int(code_generator.input_shape[-1]) - self.n_classes

    def get_config(self):
        return {**super().get_config(), "mi_weight": self.mi_weight}

    def prior_sample(self, noise, labels):
        """``CG(z ⊕ one_hot(c))`` for explicit normal noise ``z`` and labels ``c``."""
        return self.code_generator(ops.concatenate([noise, self.one_hot(labels)], axis=-1), training=False)

    def _feature_scores(self, features, y, training):
        return super()._feature_scores(features, y, training)[0]

    def _decoder_losses(self, y, training) -> tuple:
        """Step 5 of M3: fool the frozen D2 plus λ × InfoGAN's term ``-E log Q(c | dec(CG(z, c)))``
        (the auxiliary head's cross-entropy; ``log C`` minus it bounds I(c; G(z, c)) from below)."""
        fake = self._decoded_prior(y, training)
        logits, hidden = super()._feature_scores(fake, y, training)
        adversarial = losses.generator_loss_non_saturating(logits)
        information = losses.weighted_cross_entropy(y, self.auxiliary(hidden, training=training))
        return (
            adversarial + self.mi_weight * information,
            {"decoder_adversarial_loss": adversarial, "mutual_information_loss": information},
        )


def build_m1(input_dim: int, n_classes: int, *, code_dim: int = 2, widths=M1_WIDTHS, **scheme_options) -> AAE:
    """M1: AAE ``input → 1000 → 500 → 100 → 2`` (mirrored decoder), D1 ``code ⊕ one-hot → 1000 → 500 → 100 → 1``."""
    networks = aae_networks(
        input_dim, n_classes, code_dim=code_dim, widths=tuple(widths), discriminator_widths=tuple(widths), dropout=0.0
    )
    return AAE(**networks, n_classes=n_classes, **scheme_options)


def build_m2(input_dim: int, n_classes: int, *, code_dim: int = 2, widths=M1_WIDTHS, **scheme_options) -> M2:
    """M2: M1 plus D2 ``features ⊕ one-hot → 1000 → 500 → 100 → 1``."""
    networks = aae_networks(
        input_dim, n_classes, code_dim=code_dim, widths=tuple(widths), discriminator_widths=tuple(widths), dropout=0.0
    )
    critic = mlp(input_dim + n_classes, tuple(widths), output_dim=1, name="feature_discriminator")
    return M2(**networks, feature_discriminator=critic, n_classes=n_classes, **scheme_options)


def build_m3(
    input_dim: int,
    n_classes: int,
    *,
    code_dim: int = 256,
    noise_dim: int = 20,
    widths=M3_WIDTHS,
    discriminator_widths=M1_WIDTHS,
    code_generator_width: int = 140,
    auxiliary_width: int = 128,
    **scheme_options,
) -> M3:
    """M3: AAE ``input → 1000 → 700 → 300 → 256`` (mirrored), D1 ``code ⊕ one-hot → 1000 → 500 → 100 → 1``,
    CG ``z ⊕ one-hot → 140 → 256``, D2 ``features ⊕ one-hot → [1000 → 500 → 100] → 1`` with the
    auxiliary head ``[…] → 128 → C``."""
    networks = aae_networks(
        input_dim,
        n_classes,
        code_dim=code_dim,
        widths=tuple(widths),
        discriminator_widths=tuple(discriminator_widths),
        dropout=0.0,
    )
    trunk = mlp(input_dim + n_classes, tuple(discriminator_widths), name="feature_discriminator")
    logit = keras.layers.Dense(1, name="feature_discriminator_output")(trunk.output)
    critic = keras.Model(trunk.input, [logit, trunk.output], name="feature_discriminator")
    return M3(
        **networks,
        feature_discriminator=critic,
        code_generator=mlp(noise_dim + n_classes, (code_generator_width,), output_dim=code_dim, name="code_generator"),
        auxiliary=mlp(discriminator_widths[-1], (auxiliary_width,), output_dim=n_classes, name="auxiliary"),
        n_classes=n_classes,
        **scheme_options,
    )
