"""ADAN and Wasserstein ADAN (WADAN) of Yi & Mak.

An autoencoder ``R(E(x))`` with an auxiliary classifier ``C(E(x))`` learns an emotion-
discriminative latent space ``h``; a generator ``G(z, y)`` learns to produce latent vectors that a
latent discriminator ``D(h)`` cannot tell from the encoder's. After training, ``R(G(z, y))``
generates features of class ``y``. One class serves both variants: ``divergence="js"`` (ADAN,
sigmoid D, eqs. 10-14) and ``divergence="wasserstein"`` (WADAN, linear D, Wasserstein divergence
with interpolates, eqs. 16-18). Each step follows Algorithm 1: update C, D, (D frozen) R, E, G.

Example:
    >>> model = build_adan(4368, 7, divergence="wasserstein")
    >>> model.compile()                      # Adam(1e-4) for every player
    >>> model.fit(x, y, batch_size=128, epochs=800)          # doctest: +SKIP
    >>> synthetic = model.generate(y)                        # doctest: +SKIP

Reference: Yi & Mak, "Improving speech emotion recognition with adversarial data augmentation
network", IEEE TNNLS (journal; APSIPA 2019 for ADAN).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import mlp

DIVERGENCES = ("js", "wasserstein")
GENERATOR_OBJECTIVES = ("minimax", "non_saturating")


@keras.saving.register_keras_serializable(package="serzoo")
class ADAN(AdversarialScheme):
    """Adversarial data augmentation network (see the module docstring).

    Args:
        encoder, decoder, classifier, generator, discriminator: Functional sub-networks
            (:func:`build_adan` makes them as in the paper). ``generator`` takes ``z ⊕ one_hot(y)``;
            ``classifier`` and ``discriminator`` output logits.
        n_classes: number of classes.
        divergence: ``"js"`` (ADAN) or ``"wasserstein"`` (WADAN).
        alpha: weight of the classification term of the generator loss (eqs. 14, 18).
        gp_weight, gp_power: λ and p of the Wasserstein divergence (eq. 17; paper: 10 and 5).
        reconstruction: ``"mean"`` squared error per feature (default) or ``"sum"`` (||x - x̂||² as
            printed in eq. 12). Measured on 4368-D IS11 vectors: with ``"sum"`` the latent norm
            grows without bound and the latent classifier falls back to chance (loss ≈ ln 7) within
            100 epochs, while ``"mean"`` trains stably (training losses only; see BENCHMARKS.md).
        generator_objective: adversarial term of G's loss for ADAN: ``"minimax"`` ``E log(1 - D(G))``
            as printed in eq. 14, or ``"non_saturating"`` ``-E log D(G)`` (eq. 3's remedy for the
            vanishing gradient). WADAN always uses ``E D(G)`` (eq. 18).
        class_weights: weights n_max / n_k of the classification losses.
        seed: seed of the model's ``SeedGenerator``.
    """

    PLAYERS = {name: (name,) for name in ("classifier", "discriminator", "decoder", "encoder", "generator")}
    LOSSES = ("classifier_loss", "discriminator_loss", "reconstruction_loss", "encoder_loss", "generator_loss")
    NETWORKS = ("encoder", "decoder", "classifier", "generator", "discriminator")

    def __init__(
        self,
        encoder,
        decoder,
        classifier,
        generator,
        discriminator,
        *,
        n_classes: int,
        divergence: str = "js",
        alpha: float = 1.0,
        gp_weight: float = 10.0,
        gp_power: float = 5.0,
        reconstruction: str = "mean",
        generator_objective: str = "minimax",
        class_weights=None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        if divergence not in DIVERGENCES:
            raise ValueError(f"divergence must be one of {DIVERGENCES}, got {divergence!r}")
        self.encoder, self.decoder, self.classifier = encoder, decoder, classifier
        self.generator, self.discriminator = generator, discriminator
        self.divergence, self.alpha = divergence, float(alpha)
        self.gp_weight, self.gp_power = float(gp_weight), float(gp_power)
        self.reconstruction = reconstruction
        if generator_objective not in GENERATOR_OBJECTIVES:
            raise ValueError(f"generator_objective must be one of {GENERATOR_OBJECTIVES}, got {generator_objective!r}")
        self.generator_objective = generator_objective
        self.feature_dim = int(encoder.input_shape[-1])
        self.noise_dim = int(generator.input_shape[-1]) - self.n_classes
        self.build((None, self.feature_dim))

    def get_config(self):
        config = super().get_config()
        config.update(
            divergence=self.divergence,
            alpha=self.alpha,
            gp_weight=self.gp_weight,
            gp_power=self.gp_power,
            reconstruction=self.reconstruction,
            generator_objective=self.generator_objective,
        )
        return config

    def call(self, x, training=False):
        return self.decoder(self.encoder(x, training=training), training=training)

    def encode(self, x):
        """Latent vectors ``h = E(x)``."""
        return self.encoder(x, training=False)

    def decode(self, codes):
        """Features ``R(h)`` of latent vectors (the inverse of :meth:`encode`)."""
        return self.decoder(codes, training=False)

    def synthesize(self, noise, labels):
        """``R(G(z, y))``: features of class ``labels`` from explicit noise."""
        latent = self.generator(ops.concatenate([noise, self.one_hot(labels)], axis=-1), training=False)
        return self.decoder(latent, training=False)

    # ------------------------------------------------------------- losses
    def _class_loss(self, y, logits):
        return losses.weighted_cross_entropy(y, logits, self.class_weights)

    def _discriminator_loss(self, h_real, h_fake):
        if self.divergence == "js":
            return losses.discriminator_loss(self.discriminator(h_real), self.discriminator(h_fake))
        mu = keras.random.uniform((ops.shape(h_real)[0],), seed=self.seed_generator)
        mixed = losses.interpolate(h_real, h_fake, mu)
        with tf.GradientTape() as inner:
            inner.watch(mixed)
            scores = self.discriminator(mixed)
        penalty = losses.gradient_norm_power(inner.gradient(scores, mixed), self.gp_power)
        return losses.wasserstein_divergence_critic_loss(
            self.discriminator(h_real), self.discriminator(h_fake), penalty, self.gp_weight
        )

    def _generator_loss(self, y, h_fake):
        scores = self.discriminator(h_fake)
        if self.divergence == "wasserstein":
            adversarial = ops.mean(scores)
        elif self.generator_objective == "minimax":
            adversarial = losses.generator_loss_minimax(scores)
        else:
            adversarial = losses.generator_loss_non_saturating(scores)
        return adversarial + self.alpha * self._class_loss(y, self.classifier(h_fake))

    def _generator_input(self, y, batch):
        return ops.concatenate([self.noise(batch, self.noise_dim), self.one_hot(y)], axis=-1)

    def compute_losses(self, x, y, training=False):
        h = self.encoder(x, training=training)
        x_hat = self.decoder(h, training=training)
        h_fake = self.generator(self._generator_input(y, ops.shape(x)[0]), training=training)
        reconstruction = losses.reconstruction_loss(x, x_hat, self.reconstruction)
        class_loss = self._class_loss(y, self.classifier(h, training=training))
        return {
            "classifier_loss": class_loss,
            "discriminator_loss": self._discriminator_loss(h, h_fake),
            "reconstruction_loss": reconstruction,
            "encoder_loss": reconstruction + class_loss,
            "generator_loss": self._generator_loss(y, h_fake),
        }

    def train_step(self, data):
        x, y = self._unpack(data)
        generator_input = self._generator_input(y, ops.shape(x)[0])
        # E is only updated in step 11, so one forward pass serves steps 7, 8 and 10.
        h = ops.stop_gradient(self.encoder(x, training=True))
        with tf.GradientTape() as tape:  # 7: C, eq. 11
            classifier_loss = self._class_loss(y, self.classifier(h, training=True))
        self._apply(tape, classifier_loss, "classifier")
        h_fake = ops.stop_gradient(self.generator(generator_input, training=True))
        with tf.GradientTape() as tape:  # 8: D, eq. 10 / 17
            discriminator_loss = self._discriminator_loss(h, h_fake)
        self._apply(tape, discriminator_loss, "discriminator")
        with tf.GradientTape() as tape:  # 10: R, eq. 12 (D frozen: only R's variables move)
            reconstruction = losses.reconstruction_loss(x, self.decoder(h, training=True), self.reconstruction)
        self._apply(tape, reconstruction, "decoder")
        with tf.GradientTape() as tape:  # 11: E, eq. 13
            h_grad = self.encoder(x, training=True)
            encoder_loss = losses.reconstruction_loss(
                x, self.decoder(h_grad, training=True), self.reconstruction
            ) + self._class_loss(y, self.classifier(h_grad, training=True))
        self._apply(tape, encoder_loss, "encoder")
        with tf.GradientTape() as tape:  # 12: G, eq. 14 / 18
            generator_loss = self._generator_loss(y, self.generator(generator_input, training=True))
        self._apply(tape, generator_loss, "generator")
        return self._record(
            {
                "classifier_loss": classifier_loss,
                "discriminator_loss": discriminator_loss,
                "reconstruction_loss": reconstruction,
                "encoder_loss": encoder_loss,
                "generator_loss": generator_loss,
            }
        )


def build_adan(
    input_dim: int,
    n_classes: int,
    *,
    latent_dim: int = 100,
    noise_dim: int = 100,
    autoencoder_width: int = 800,
    width: int = 100,
    activation: str = "relu",
    latent_activation: str | None = "tanh",
    **scheme_options,
) -> ADAN:
    """ADAN/WADAN with the journal's networks: E, R 2 × 800; C, G, D 2 × 100; 100-D latent and noise.

    ``latent_activation`` is the output activation of E and G: ``"tanh"`` (default) bounds the latent
    space; ``None`` = linear, as the journal implies. Measured on EmoDB fold 1 with training data only:
    with a linear latent the encoder's norm grows with its classification loss (mean |h| 92 after 800
    epochs) while G's stays near 2, D wins outright and a classifier trained on the real training set
    labels only 41 % of the synthetic set correctly; with tanh, 400 epochs give 69 % (ADAN) and 90 %
    (WADAN) and a lower MMD (see BENCHMARKS.md).

    ``scheme_options`` go to :class:`ADAN` (``divergence``, ``alpha``, ``class_weights``, ``seed``...).
    """
    two = (autoencoder_width, autoencoder_width)
    small = (width, width)
    return ADAN(
        encoder=mlp(
            input_dim,
            two,
            output_dim=latent_dim,
            activation=activation,
            output_activation=latent_activation,
            name="encoder",
        ),
        decoder=mlp(latent_dim, two, output_dim=input_dim, activation=activation, name="decoder"),
        classifier=mlp(latent_dim, small, output_dim=n_classes, activation=activation, name="classifier"),
        generator=mlp(
            noise_dim + n_classes,
            small,
            output_dim=latent_dim,
            activation=activation,
            output_activation=latent_activation,
            name="generator",
        ),
        discriminator=mlp(latent_dim, small, output_dim=1, activation=activation, name="discriminator"),
        n_classes=n_classes,
        **scheme_options,
    )
