"""Adversarial autoencoder with a class-conditioned GMM prior (Sahu et al., Interspeech 2017).

The encoder maps features to a K-dimensional code (K = 2 in the paper); a discriminator sees
``code ⊕ one_hot(y)`` and learns to tell encoder codes from samples of the prior's k-th Gaussian
(one component per class, :func:`serzoo.priors.class_component_means`); the encoder learns to fool
it. Per batch (Makhzani et al. 2016): (1) the autoencoder on the reconstruction error, (2) the
discriminator on prior-vs-code cross-entropy, (3) the encoder against the frozen discriminator.
``generate(labels)`` samples the class's component and decodes it.

Example:
    >>> model = build_aae(1582, 7)           # 2 × 1000 hidden, dropout 0.5, 2-D code
    >>> model.compile()                      # Adam(1e-4) for every player
    >>> model.fit(x, y, batch_size=128, epochs=300)          # doctest: +SKIP
    >>> codes, synthetic = model.encode(x), model.generate(y)  # doctest: +SKIP
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import mlp
from serzoo.priors import class_component_means


@keras.saving.register_keras_serializable(package="serzoo")
class AAE(AdversarialScheme):
    """Adversarial autoencoder (see the module docstring).

    Args:
        encoder, decoder: Functional networks ``features → code`` and ``code → features``.
        discriminator: ``code ⊕ one_hot(y) → logit``.
        n_classes: number of classes (= prior components).
        prior_spread: distance of each component's mean from the origin.
        prior_std: standard deviation of every component.
        seed: seed of the model's ``SeedGenerator``.
    """

    PLAYERS = {"autoencoder": ("encoder", "decoder"), "discriminator": ("discriminator",), "generator": ("encoder",)}
    LOSSES = ("reconstruction_loss", "discriminator_loss", "generator_loss")
    NETWORKS = ("encoder", "decoder", "discriminator")

    def __init__(
        self,
        encoder,
        decoder,
        discriminator,
        *,
        n_classes: int,
        prior_spread: float = 5.0,
        prior_std: float = 1.0,
        class_weights=None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        self.encoder, self.decoder, self.discriminator = encoder, decoder, discriminator
        self.prior_spread, self.prior_std = float(prior_spread), float(prior_std)
        self.feature_dim = int(encoder.input_shape[-1])
        self.code_dim = self.noise_dim = int(encoder.output_shape[-1])
        self.prior_means = ops.convert_to_tensor(
            class_component_means(self.n_classes, self.code_dim, self.prior_spread)
        )
        self.build((None, self.feature_dim))

    def get_config(self):
        config = super().get_config()
        config.update(prior_spread=self.prior_spread, prior_std=self.prior_std)
        return config

    def call(self, x, training=False):
        return self.decoder(self.encoder(x, training=training), training=training)

    def encode(self, x):
        """Code vectors ``E(x)``."""
        return self.encoder(x, training=False)

    def prior_sample(self, noise, labels):
        """Samples of the labels' prior components from explicit standard-normal ``noise``."""
        return ops.take(self.prior_means, ops.cast(labels, "int32"), axis=0) + self.prior_std * noise

    def draw_prior(self, labels):
        """Prior samples for ``labels`` with fresh noise from the model's ``SeedGenerator``."""
        return self.prior_sample(self.noise(ops.shape(labels)[0], self.noise_dim), labels)

    def decode(self, codes):
        """Features ``De(c)`` of code vectors (the inverse of :meth:`encode`)."""
        return self.decoder(codes, training=False)

    def synthesize(self, noise, labels):
        """Decode samples of the labels' prior components."""
        return self.decoder(self.prior_sample(noise, labels), training=False)

    def _scores(self, codes, y, training):
        return self.discriminator(ops.concatenate([codes, self.one_hot(y)], axis=-1), training=training)

    def compute_losses(self, x, y, training=False):
        codes = self.encoder(x, training=training)
        prior = self.draw_prior(y)
        fake = self._scores(codes, y, training)
        return {
            "reconstruction_loss": losses.reconstruction_loss(x, self.decoder(codes, training=training), "mean"),
            "discriminator_loss": losses.discriminator_loss(self._scores(prior, y, training), fake),
            "generator_loss": losses.generator_loss_non_saturating(fake),
        }

    def train_step(self, data):
        return self._record(self._autoencoder_phases(*self._unpack(data)))

    def _autoencoder_phases(self, x, y) -> dict:
        """The three AAE updates of one batch; returns their losses."""
        with tf.GradientTape() as tape:  # (1) reconstruction phase
            reconstruction = losses.reconstruction_loss(
                x, self.decoder(self.encoder(x, training=True), training=True), "mean"
            )
        self._apply(tape, reconstruction, "autoencoder")
        codes = ops.stop_gradient(self.encoder(x, training=True))
        prior = self.draw_prior(y)
        with tf.GradientTape() as tape:  # (2) regularisation: discriminator, prior = "real"
            discriminator_loss = losses.discriminator_loss(self._scores(prior, y, True), self._scores(codes, y, True))
        self._apply(tape, discriminator_loss, "discriminator")
        with tf.GradientTape() as tape:  # (3) regularisation: encoder fools the frozen discriminator
            generator_loss = losses.generator_loss_non_saturating(self._scores(self.encoder(x, training=True), y, True))
        self._apply(tape, generator_loss, "generator")
        return {
            "reconstruction_loss": reconstruction,
            "discriminator_loss": discriminator_loss,
            "generator_loss": generator_loss,
        }


def aae_networks(
    input_dim: int,
    n_classes: int,
    *,
    code_dim: int,
    widths,
    discriminator_widths,
    dropout: float,
) -> dict:
    """Encoder ``input → widths → code``, the mirrored decoder and ``code ⊕ one-hot → 1`` discriminator."""
    return {
        "encoder": mlp(input_dim, widths, output_dim=code_dim, dropout=dropout, name="encoder"),
        "decoder": mlp(code_dim, tuple(reversed(widths)), output_dim=input_dim, dropout=dropout, name="decoder"),
        "discriminator": mlp(code_dim + n_classes, discriminator_widths, output_dim=1, name="discriminator"),
    }


def build_aae(
    input_dim: int,
    n_classes: int,
    *,
    code_dim: int = 2,
    width: int = 1000,
    dropout: float = 0.5,
    **scheme_options,
) -> AAE:
    """The AAE of Sahu et al. 2017: encoder, decoder and discriminator 2 × ``width`` (ReLU), dropout 0.5
    in the autoencoder, ``code_dim``-D linear code; ``scheme_options`` go to :class:`AAE`."""
    networks = aae_networks(
        input_dim,
        n_classes,
        code_dim=code_dim,
        widths=(width, width),
        discriminator_widths=(width, width),
        dropout=dropout,
    )
    return AAE(**networks, n_classes=n_classes, **scheme_options)
