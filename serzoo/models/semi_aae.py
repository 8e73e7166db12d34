"""Semi-supervised adversarial autoencoder for emotion recognition (ICASSP 2019), utterance and frame level.

The encoder maps x to a categorical emotion ``y = softmax(logits)`` (K classes) and a continuous style ``z``
(100-D, linear); the decoder maps ``y ⊕ z`` back to x. A categorical discriminator matches the aggregated
``q(y)`` to a uniform categorical prior (samples: one-hot vectors of uniformly drawn classes), a Gaussian one
matches ``q(z)`` to N(0, I). One ``train_step`` runs the paper's three phases (Sec. 4.1), each with its own
optimizer: (1) reconstruction (encoder + decoder), (2) regularisation: both discriminators, then the encoder
fooling both, (3) supervised cross-entropy of ``q(y|x)`` on the labelled rows.

Unlabelled utterances: a label of :data:`UNLABELLED` (``-1``) marks a row without a label. It takes part in
phases (1) and (2) only; phase (3) averages over the labelled rows of the batch (no gradient from the others).
:func:`hide_labels` keeps a fraction of the labels per class.

"What made it work" (Sec. 5.2) is one flag, ``optimised`` of the builders: batch norm on every encoder and
decoder layer including the softmax and linear encoder outputs and the decoder's output (``batch_norm``) and
dropout 0.5 in the discriminators (``discriminator_dropout``); ``optimised=False`` is the vanilla AAE of
Table 1 row 2. The third item, a discriminator learning rate of 0.1 x the generator's, is training, not
architecture: it lives in :mod:`serzoo.schedules` (``Training.rate_scales``).

Contours that move (frame level; all off by default, i.e. the paper's model): an MSE-trained decoder returns
over-smoothed contours near each LLD's mean (the "over-smoothing" of statistical parametric speech synthesis).
The reconstruction phase can add, each with its weight (:mod:`serzoo.losses`): the per-utterance global variance of
the contour and of its first differences (``variance_weight``, ``delta_weight``; Toda & Tokuda 2007), its
modulation spectrum (``spectrum_weight``; Takamichi et al. 2014/2015), and an adversarial loss on decoded prior
samples against a conditional Conv1D sequence discriminator (``adversarial_weight``, player
``sequence_discriminator``, which trains first in each step on real crops vs decoded prior samples; Saito,
Takamichi & Saruwatari, IEEE/ACM TASLP 2018, who add it to the generation loss of an acoustic model). A
``statistics_decoder`` predicts each crop's per-LLD mean and log standard deviation from ``y ⊕ z`` apart from the
decoder's normalised contour (FastSpeech 2's pitch predictor): the decoded contour is ``mean + std x
instance_norm(decoder(y ⊕ z))``, the statistics learn from the crop's own (``statistics_weight``) and the MSE
does not shrink the standard deviation (it reaches the shape and the mean only).

Example:
    >>> model = build_semi_aae(6373, 3)                # 2 x 256, 100-D style, optimised
    >>> model.compile()                                # doctest: +SKIP
    >>> model.fit(x, hide_labels(y, 0.25, 3, seed=0), batch_size=128, epochs=100)   # doctest: +SKIP
    >>> probabilities = model.classify(x_test)         # doctest: +SKIP
    >>> x_angry = model.transfer(x_test, np.zeros(len(x_test), "int32"))           # doctest: +SKIP

Reference: the semi-supervised AAE for speech emotion recognition, ICASSP 2019, p. 7410 ff. (the text serzoo
worked from lacks the title block); Makhzani et al. 2016, "Adversarial autoencoders" (semi-supervised AAE).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.scheme import AdversarialScheme
from serzoo.networks import (
    conv1d_discriminator,
    conv1d_output,
    conv1d_stack,
    conv1d_transpose_stack,
    dense_output,
    dense_stack,
    mlp,
)

#: The label value of an unlabelled utterance.
UNLABELLED = -1
#: The phases of one train step, in order (Sec. 4.1).
PHASES = ("reconstruction", "regularisation", "supervised")
#: Each logged loss of :meth:`SemiSupervisedAAE.train_step` and the step of its phase (Sec. 4.1) it drives.
LOSS_PHASES = {
    "reconstruction_loss": "(1) reconstruction",
    "discriminator_loss": "(2a) discriminators",
    "generator_loss": "(2b) encoder fools the discriminators",
    "classification_loss": "(3) supervised",
    "contour_loss": "(1) contour terms",
    "sequence_discriminator_loss": "(0) sequence discriminator",
    "sequence_generator_loss": "(1) decoder fools the sequence discriminator",
}
#: The weights of the contour terms of the reconstruction phase (see the module docstring).
CONTOUR_WEIGHTS = ("variance_weight", "delta_weight", "spectrum_weight", "adversarial_weight", "statistics_weight")


@keras.saving.register_keras_serializable(package="serzoo")
class SemiSupervisedAAE(AdversarialScheme):
    """Semi-supervised AAE (see the module docstring); utterance vectors or fixed-length frame crops.

    Args:
        encoder: Functional ``x → [logits (K), style (d)]`` (:func:`build_semi_aae`, :func:`build_semi_aae_frames`).
        decoder: Functional ``softmax(logits) ⊕ style → x``.
        category_discriminator: ``K → logit``; style_discriminator: ``d → logit``.
        n_classes: number of emotion classes K.
        phases: the phases the train step runs (default all three). ``("supervised",)`` is the paper's
            supervised baseline with the encoder's architecture (``q(y|x)`` alone); the others give the
            ablations (e.g. without ``"regularisation"``: the auxiliary reconstruction only). A skipped phase's
            loss is logged as 0.
        class_weights: weights of the supervised cross-entropy (default all 1).
        seed: seed of the model's ``SeedGenerator`` (prior samples).
        statistics_decoder: optional ``y ⊕ z → [mean (D), log std (D)]`` (one ``2D`` output) of a frame-level
            model; the decoder then gives the normalised contour (module docstring).
        sequence_discriminator: optional ``[contour (frames, D), condition (K)] → logits`` of a frame-level model,
            trained against decoded prior samples (needs ``adversarial_weight > 0``).
        variance_weight, delta_weight, spectrum_weight, adversarial_weight, statistics_weight: the contour terms
            of the reconstruction phase (frame level; 0 = off; ``statistics_weight`` needs a statistics decoder).
    """

    PLAYERS = {
        "autoencoder": ("encoder", "decoder", "statistics_decoder"),
        "discriminator": ("category_discriminator", "style_discriminator"),
        "generator": ("encoder",),
        "classifier": ("encoder",),
        "sequence_discriminator": ("sequence_discriminator",),
    }
    LOSSES = (
        "reconstruction_loss",
        "discriminator_loss",
        "generator_loss",
        "classification_loss",
        "contour_loss",
        "sequence_discriminator_loss",
        "sequence_generator_loss",
    )
    NETWORKS = (
        "encoder",
        "decoder",
        "category_discriminator",
        "style_discriminator",
        "statistics_decoder",
        "sequence_discriminator",
    )

    def __init__(
        self,
        encoder,
        decoder,
        category_discriminator,
        style_discriminator,
        *,
        n_classes: int,
        phases=PHASES,
        class_weights=None,
        seed: int | None = None,
        statistics_decoder=None,
        sequence_discriminator=None,
        variance_weight: float = 0.0,
        delta_weight: float = 0.0,
        spectrum_weight: float = 0.0,
        adversarial_weight: float = 0.0,
        statistics_weight: float = 0.0,
        **kwargs,
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        unknown = sorted(set(phases) - set(PHASES))
        if unknown or not phases:
            raise ValueError(f"phases must be a non-empty subset of {PHASES}, got {tuple(phases)}")
        self.phases = tuple(p for p in PHASES if p in phases)
        self.encoder, self.decoder = encoder, decoder
        self.category_discriminator, self.style_discriminator = category_discriminator, style_discriminator
        self.statistics_decoder, self.sequence_discriminator = statistics_decoder, sequence_discriminator
        logits_shape, style_shape = encoder.output_shape
        if logits_shape[-1] != self.n_classes:
            raise ValueError(f"the encoder's first output has {logits_shape[-1]} units for {self.n_classes} classes")
        self.feature_dim = int(encoder.input_shape[-1])
        self.style_dim = self.noise_dim = int(style_shape[-1])
        self.contour_weights = {
            "variance_weight": float(variance_weight),
            "delta_weight": float(delta_weight),
            "spectrum_weight": float(spectrum_weight),
            "adversarial_weight": float(adversarial_weight),
            "statistics_weight": float(statistics_weight),
        }
        self._check_contour_options()
        self.build((None, *self.sample_shape))

    def _check_contour_options(self) -> None:
        weights = self.contour_weights
        if any(w < 0 for w in weights.values()):
            raise ValueError(f"the contour weights must be >= 0, got {weights}")
        if self.crop_frames is None and (
            any(weights.values()) or self.statistics_decoder or self.sequence_discriminator
        ):
            raise ValueError(
                "the contour terms, statistics decoder and sequence discriminator are for frame-level models"
            )
        if (weights["adversarial_weight"] > 0) != (self.sequence_discriminator is not None):
            raise ValueError("adversarial_weight > 0 and a sequence_discriminator go together (give both or neither)")
        if weights["statistics_weight"] > 0 and self.statistics_decoder is None:
            raise ValueError("statistics_weight > 0 needs a statistics_decoder")

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """One example's shape: ``(features,)`` or ``(crop_frames, features)``."""
        return tuple(int(d) for d in self.encoder.input_shape[1:])

    @property
    def crop_frames(self) -> int | None:
        """Frames per crop of a frame-level model (``None`` for utterance vectors)."""
        return self.sample_shape[0] if len(self.sample_shape) == 2 else None

    # ------------------------------------------------------------- the networks
    def _latent(self, probabilities, style):
        return ops.concatenate([probabilities, style], axis=-1)

    def _decode(self, latent, training, *, statistics=False):
        """The decoded contour of ``latent`` (``y ⊕ z``); with ``statistics`` also the statistics decoder's
        ``(mean, log_std)`` (``None`` without one) and the contour with the standard deviation held constant
        (what the MSE sees: it may move the shape and the mean, not shrink the spread)."""
        shape = self.decoder(latent, training=training)
        if self.statistics_decoder is None:
            return (shape, None, shape) if statistics else shape
        mean, log_std = ops.split(self.statistics_decoder(latent, training=training), 2, axis=-1)
        decoded = rescale_contour(shape, mean, log_std)
        if not statistics:
            return decoded
        return decoded, (mean, log_std), rescale_contour(shape, mean, ops.stop_gradient(log_std))

    def call(self, x, training=False):
        logits, style = self.encoder(x, training=training)
        return self._decode(self._latent(ops.softmax(logits, axis=-1), style), training)

    def encode(self, x):
        """The style ``z`` of ``x`` (what is not emotion)."""
        return self.encoder(x, training=False)[1]

    def classify(self, x, batch_size: int = 1024) -> np.ndarray:
        """``q(y|x)``: class probabilities ``[n, K]`` (crops of a frame-level model: see
        :func:`serzoo.frames.utterance_posteriors` for whole utterances)."""
        parts = [
            ops.convert_to_numpy(ops.softmax(self.encoder(x[i : i + batch_size], training=False)[0], axis=-1))
            for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, self.n_classes), np.float32)

    def synthesize(self, noise, labels):
        """Decode ``one_hot(labels) ⊕ noise`` (style ``z`` = the standard-normal ``noise``)."""
        return self._decode(self._latent(self.one_hot(labels), noise), False)

    def transfer(self, x, labels) -> np.ndarray:
        """Keep each row's style ``z`` and decode it with the emotion ``labels`` instead of its own."""
        labels = self.check_labels(labels)
        if len(labels) != len(x):
            raise ValueError(f"transfer needs one label per row: {len(x)} rows, {len(labels)} labels")
        return ops.convert_to_numpy(self.synthesize(self.encode(x), labels))

    def generate(self, labels, seed: int | None = None, batch_size: int = 1024, frames: int | None = None):
        """Synthetic examples for ``labels``; a frame-level model returns ``[n, frames, features]``
        (default: one crop). Each crop of a longer sequence decodes its own style draw (the decoder's
        bottleneck is fully connected, so one ``(y, z)`` gives exactly one crop)."""
        if frames is None:
            return super().generate(labels, seed, batch_size)
        if self.crop_frames is None:
            raise ValueError("frames is for frame-level models; an utterance-level model returns vectors")
        if int(frames) < 1:
            raise ValueError(f"frames must be a positive integer, got {frames!r}")
        labels = self.check_labels(labels)
        n_crops = math.ceil(int(frames) / self.crop_frames)
        crops = super().generate(np.repeat(labels, n_crops), seed, batch_size)
        return crops.reshape(len(labels), n_crops * self.crop_frames, self.feature_dim)[:, :frames]

    # ------------------------------------------------------------- losses
    def draw_prior(self, batch):
        """One-hot samples of the uniform categorical prior and N(0, I) style samples."""
        classes = keras.random.randint((batch,), 0, self.n_classes, seed=self.seed_generator)
        return self.one_hot(classes), self.noise(batch, self.style_dim)

    def _discriminator_loss(self, probabilities, style, training):
        prior_y, prior_z = self.draw_prior(ops.shape(style)[0])
        return losses.discriminator_loss(
            self.category_discriminator(prior_y, training=training),
            self.category_discriminator(probabilities, training=training),
        ) + losses.discriminator_loss(
            self.style_discriminator(prior_z, training=training), self.style_discriminator(style, training=training)
        )

    def _generator_loss(self, probabilities, style, training):
        return losses.generator_loss_non_saturating(
            self.category_discriminator(probabilities, training=training)
        ) + losses.generator_loss_non_saturating(self.style_discriminator(style, training=training))

    def _reconstruction(self, x, y, training) -> dict:
        """Phase (1): the MSE and the weighted contour terms (frame level; 0 when all are off); with a sequence
        discriminator also its adversarial term on decoded prior samples."""
        logits, style = self.encoder(x, training=training)
        decoded, statistics, held = self._decode(
            self._latent(ops.softmax(logits, axis=-1), style), training, statistics=True
        )
        w = self.contour_weights
        terms = {
            "variance_weight": lambda: losses.log_variance_matching(x, decoded),
            "delta_weight": lambda: losses.log_variance_matching(x, decoded, order=1),
            "spectrum_weight": lambda: losses.modulation_spectrum_loss(x, decoded),
            "statistics_weight": lambda: losses.contour_statistics_loss(x, *statistics),
        }
        contour = sum((w[name] * term() for name, term in terms.items() if w[name] > 0), ops.zeros(()))
        result = {"reconstruction_loss": losses.reconstruction_loss(x, held, "mean"), "contour_loss": contour}
        if self.sequence_discriminator is not None:
            fake, condition = self._decoded_prior(y, training)
            result["sequence_generator_loss"] = losses.generator_loss_non_saturating(
                self.sequence_discriminator([fake, condition], training=training)
            )
        return result

    @staticmethod
    def _objective(parts: dict, weights: dict):
        """The reconstruction phase's objective: MSE + contour terms + the weighted adversarial term."""
        adversarial = parts.get("sequence_generator_loss", 0.0)
        return parts["reconstruction_loss"] + parts["contour_loss"] + weights["adversarial_weight"] * adversarial

    def _decoded_prior(self, y, training):
        """Contours decoded from ``one_hot(c) ⊕ z`` (``z ~ N(0, I)``; ``c`` = the row's label, a uniform draw for
        an unlabelled row) and the sequence discriminator's condition of the batch's rows: the one-hot label of a
        labelled row, zeros for an unlabelled one (its real and decoded contour are compared unconditionally)."""
        y = ops.cast(y, "int32")
        labelled = ops.cast(y >= 0, "float32")[:, None]
        drawn = keras.random.randint(ops.shape(y), 0, self.n_classes, seed=self.seed_generator)
        classes = ops.where(y >= 0, y, drawn)
        noise = self.noise(ops.shape(y)[0], self.style_dim)
        fake = self._decode(self._latent(self.one_hot(classes), noise), training)
        return fake, self.one_hot(classes) * labelled

    def _sequence_discriminator_loss(self, x, y, training):
        fake, condition = self._decoded_prior(y, training)
        return losses.discriminator_loss(
            self.sequence_discriminator([x, condition], training=training),
            self.sequence_discriminator([ops.stop_gradient(fake), condition], training=training),
        )

    def compute_losses(self, x, y, training=False):
        logits, style = self.encoder(x, training=training)
        probabilities = ops.softmax(logits, axis=-1)
        result = {
            **self._reconstruction(x, y, training),
            "discriminator_loss": self._discriminator_loss(probabilities, style, training),
            "generator_loss": self._generator_loss(probabilities, style, training),
            "classification_loss": losses.labelled_cross_entropy(y, logits, self.class_weights),
        }
        if self.sequence_discriminator is not None:
            result["sequence_discriminator_loss"] = self._sequence_discriminator_loss(x, y, training)
        return {name: result.get(name, ops.zeros(())) for name in self.LOSSES}

    def _apply(self, tape, loss, player: str) -> None:
        """As the base, but a variable the loss does not reach gets a zero gradient (the style head in the
        supervised phase) instead of a Keras warning."""
        variables = self._player_variables(player)
        grads = [ops.zeros_like(v) if g is None else g for g, v in zip(tape.gradient(loss, variables), variables)]
        getattr(self, f"{player}_optimizer").apply_gradients(zip(grads, variables))

    def train_step(self, data):
        x, y = self._unpack(data)
        done = {}
        if "reconstruction" in self.phases and self.sequence_discriminator is not None:
            with tf.GradientTape() as tape:  # (0) the sequence discriminator: real crops vs decoded prior samples
                done["sequence_discriminator_loss"] = self._sequence_discriminator_loss(x, y, True)
            self._apply(tape, done["sequence_discriminator_loss"], "sequence_discriminator")
        if "reconstruction" in self.phases:
            with tf.GradientTape() as tape:  # (1) reconstruction phase (+ contour terms, + fooling the sequence D)
                parts = self._reconstruction(x, y, True)
                objective = self._objective(parts, self.contour_weights)
            self._apply(tape, objective, "autoencoder")
            done.update(parts)
        if "regularisation" in self.phases:
            logits, style = self.encoder(x, training=True)
            probabilities, style = ops.stop_gradient(ops.softmax(logits, axis=-1)), ops.stop_gradient(style)
            with tf.GradientTape() as tape:  # (2a) regularisation: both discriminators, priors = "real"
                done["discriminator_loss"] = self._discriminator_loss(probabilities, style, True)
            self._apply(tape, done["discriminator_loss"], "discriminator")
            with tf.GradientTape() as tape:  # (2b) regularisation: the encoder fools both (frozen) discriminators
                logits, style = self.encoder(x, training=True)
                done["generator_loss"] = self._generator_loss(ops.softmax(logits, axis=-1), style, True)
            self._apply(tape, done["generator_loss"], "generator")
        if "supervised" in self.phases:
            with tf.GradientTape() as tape:  # (3) supervised phase: q(y|x) on the labelled rows
                done["classification_loss"] = losses.labelled_cross_entropy(
                    y, self.encoder(x, training=True)[0], self.class_weights
                )
            self._apply(tape, done["classification_loss"], "classifier")
        return self._record({name: done.get(name, 0.0) for name in self.LOSSES})

    def get_config(self):
        return {**super().get_config(), "phases": list(self.phases), **self.contour_weights}


#: Added to the variance over time of the decoder's shape before normalising it (:func:`rescale_contour`).
RESCALE_EPSILON = 1e-5


def rescale_contour(shape, mean, log_std, epsilon: float = RESCALE_EPSILON):
    """``mean + exp(log_std) x (shape - mean_t shape) / sqrt(var_t shape + epsilon)`` per sequence and channel:
    a ``[batch, frames, channels]`` shape normalised over its frames, given the ``[batch, channels]`` statistics."""
    centred = shape - ops.mean(shape, axis=1, keepdims=True)
    normalised = centred / ops.sqrt(ops.mean(ops.square(centred), axis=1, keepdims=True) + epsilon)
    return mean[:, None, :] + ops.exp(log_std)[:, None, :] * normalised


# ----------------------------------------------------------------- builders
def _options(optimised: bool, batch_norm, discriminator_dropout) -> tuple[bool, float]:
    """The "what made it work" flags: explicit values win over ``optimised``."""
    batch_norm = optimised if batch_norm is None else bool(batch_norm)
    discriminator_dropout = (0.5 if optimised else 0.0) if discriminator_dropout is None else discriminator_dropout
    return batch_norm, float(discriminator_dropout)


def _hidden(x, widths, *, dropout: float, batch_norm: bool, name: str):
    """Dense layers with ``dropout`` between them (not after the last: "between the encoder's hidden layers")."""
    for i, width in enumerate(widths):
        x = dense_stack(
            x, (width,), dropout=dropout if i < len(widths) - 1 else 0.0, batch_norm=batch_norm, name=f"{name}{i}"
        )
    return x


def _encoder(inputs, trunk, n_classes: int, style_dim: int, batch_norm: bool) -> keras.Model:
    logits = dense_output(trunk, n_classes, batch_norm=batch_norm, name="encoder_logits")
    style = dense_output(trunk, style_dim, batch_norm=batch_norm, name="encoder_style")
    return keras.Model(inputs, [logits, style], name="encoder")


def _discriminators(n_classes, style_dim, width, dropout) -> dict:
    return {
        "category_discriminator": mlp(
            n_classes, (width, width), output_dim=1, dropout=dropout, name="category_discriminator"
        ),
        "style_discriminator": mlp(
            style_dim, (width, width), output_dim=1, dropout=dropout, name="style_discriminator"
        ),
    }


def build_semi_aae(
    input_dim: int,
    n_classes: int,
    *,
    style_dim: int = 100,
    width: int = 256,
    dropout: float = 0.5,
    discriminator_width: int = 256,
    optimised: bool = True,
    batch_norm: bool | None = None,
    discriminator_dropout: float | None = None,
    **scheme_options,
) -> SemiSupervisedAAE:
    """The utterance-level model of Sec. 5.2: encoder and decoder 2 x ``width`` ReLU, dropout ``dropout``
    between the encoder's hidden layers, softmax-K and linear ``style_dim`` heads; discriminators 2 x
    ``discriminator_width`` with sigmoid outputs (logits here). ``optimised`` (default) = batch norm everywhere
    and discriminator dropout 0.5; ``optimised=False`` = the vanilla AAE. ``scheme_options`` go to
    :class:`SemiSupervisedAAE`."""
    batch_norm, discriminator_dropout = _options(optimised, batch_norm, discriminator_dropout)
    widths = (width, width)
    inputs = keras.Input((input_dim,), name="encoder_input")
    trunk = _hidden(inputs, widths, dropout=dropout, batch_norm=batch_norm, name="encoder")
    latent = keras.Input((n_classes + style_dim,), name="decoder_input")
    hidden = dense_stack(latent, widths, batch_norm=batch_norm, name="decoder")
    decoder = keras.Model(
        latent, dense_output(hidden, input_dim, batch_norm=batch_norm, name="decoder_output"), name="decoder"
    )
    return SemiSupervisedAAE(
        _encoder(inputs, trunk, n_classes, style_dim, batch_norm),
        decoder,
        **_discriminators(n_classes, style_dim, discriminator_width, discriminator_dropout),
        n_classes=n_classes,
        **scheme_options,
    )


def build_semi_aae_frames(
    input_dim: int,
    n_classes: int,
    *,
    crop_frames: int = 512,
    filters=(128, 128, 256, 256),
    final_filters: int = 256,
    kernel_size: int = 4,
    pool_size: int = 4,
    width: int = 256,
    style_dim: int = 100,
    dropout: float = 0.5,
    discriminator_width: int = 256,
    optimised: bool = True,
    batch_norm: bool | None = None,
    discriminator_dropout: float | None = None,
    contour_statistics: bool = False,
    sequence_filters=(64, 128, 128),
    **scheme_options,
) -> SemiSupervisedAAE:
    """The frame-level model of Table 2 on ``[crop_frames, input_dim]`` crops (65 ComParE LLDs):
    encoder Conv1D{4, 128, maxpool 4} x 2, Conv1D{4, 256, maxpool 4} x 2, Conv1D{4, 256}, Dense 256 x 2,
    softmax / linear heads; decoder Dense 256 x 2, Dense to the bottleneck, Conv1DTranspose{4, 256},
    {unpool 4, Conv1DTranspose 4, 256} x 2, {unpool 4, Conv1DTranspose 4, 128} x 2 and a linear
    Conv1DTranspose to ``input_dim`` channels (Table 2 leaves the last projection implicit).

    ``crop_frames`` must be a multiple of ``pool_size ** len(filters)`` (256 for the paper's encoder): 512
    frames = 5.12 s of 10 ms frames (EmoDB utterances: 1.2-8.9 s). Dropout between the dense layers as in
    the utterance-level encoder (Table 2 states none). Other options as :func:`build_semi_aae`.

    Contours that move (module docstring): ``contour_statistics`` adds the statistics decoder (``y ⊕ z`` → 2 x
    ``width`` ReLU → per-LLD mean and log std); ``adversarial_weight > 0`` (a scheme option) adds the sequence
    discriminator (:func:`serzoo.networks.conv1d_discriminator` with ``sequence_filters``).
    """
    batch_norm, discriminator_dropout = _options(optimised, batch_norm, discriminator_dropout)
    reduction = pool_size ** len(filters)
    if crop_frames < reduction or crop_frames % reduction:
        raise ValueError(
            f"crop_frames must be a positive multiple of pool_size ** len(filters) = {reduction}, "
            f"got {crop_frames}; e.g. {max(reduction, crop_frames // reduction * reduction)}"
        )
    widths = (width, width)
    inputs = keras.Input((crop_frames, input_dim), name="encoder_input")
    convolved = conv1d_stack(
        inputs,
        filters,
        kernel_size=kernel_size,
        pool_size=pool_size,
        final_filters=final_filters,
        batch_norm=batch_norm,
        name="encoder_cnn",
    )
    flat = keras.layers.Flatten(name="encoder_flatten")(convolved)
    trunk = _hidden(flat, widths, dropout=dropout, batch_norm=batch_norm, name="encoder_dense")
    steps = crop_frames // reduction
    latent = keras.Input((n_classes + style_dim,), name="decoder_input")
    hidden = dense_stack(latent, (*widths, steps * final_filters), batch_norm=batch_norm, name="decoder")
    hidden = keras.layers.Reshape((steps, final_filters), name="decoder_reshape")(hidden)
    hidden = conv1d_transpose_stack(
        hidden,
        tuple(reversed(filters)),
        kernel_size=kernel_size,
        pool_size=pool_size,
        first_filters=final_filters,
        batch_norm=batch_norm,
        name="decoder_cnn",
    )
    decoder = keras.Model(
        latent,
        conv1d_output(hidden, input_dim, kernel_size=kernel_size, batch_norm=batch_norm, name="decoder_output"),
        name="decoder",
    )
    networks = {
        "encoder": _encoder(inputs, trunk, n_classes, style_dim, batch_norm),
        "decoder": decoder,
        **_discriminators(n_classes, style_dim, discriminator_width, discriminator_dropout),
    }
    # the optional networks last, so the paper's networks start from the same weights with or without them
    if contour_statistics:
        networks["statistics_decoder"] = mlp(
            n_classes + style_dim, widths, output_dim=2 * input_dim, name="statistics_decoder"
        )
    if scheme_options.get("adversarial_weight", 0) > 0:
        networks["sequence_discriminator"] = conv1d_discriminator(
            crop_frames, input_dim, n_classes, filters=tuple(sequence_filters)
        )
    return SemiSupervisedAAE(**networks, n_classes=n_classes, **scheme_options)


def hide_labels(y, fraction: float, n_classes: int, *, seed: int = 0) -> np.ndarray:
    """A copy of ``y`` in which only ``round(fraction x n_k)`` utterances of each class k (at least one when
    ``fraction > 0`` and the class is present), chosen with ``seed``, keep their label; the rest become
    :data:`UNLABELLED`. ``fraction=1`` keeps every label."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must be a 1-D integer array, got shape {y.shape} {y.dtype}")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must lie in [0, 1] (the labelled share of each class), got {fraction!r}")
    rng = np.random.default_rng(seed)
    out = np.full_like(y, UNLABELLED)
    for k in range(n_classes):
        rows = np.flatnonzero(y == k)
        keep = 0 if fraction == 0 or not rows.size else max(1, round(fraction * rows.size))
        out[rng.permutation(rows)[:keep]] = k
    return out
