"""Small pure loss functions shared by every adversarial scheme (``keras.ops``, rank-generic).

Discriminators output logits; ``sigmoid`` is applied inside the losses, which is the same function
as the papers' sigmoid-output discriminators but numerically stable.

The contour terms at the end (:func:`log_variance_matching`, :func:`modulation_spectrum_loss`,
:func:`contour_statistics_loss`) take ``[batch, frames, channels]`` sequences: they counter the over-smoothing of
MSE-trained frame-level decoders.

Reference: Goodfellow et al. 2014 (GAN, eqs. 2-3 of Yi & Mak); Yi & Mak, journal eqs. 10-18
(ADAN / WADAN); Wu et al. 2018, "Wasserstein divergence for GANs" (eq. 16); Toda & Tokuda 2007 (global
variance); Takamichi et al., ICASSP 2014/2015 (modulation spectrum); Ren et al. 2021, FastSpeech 2 (a contour's
mean and standard deviation predicted apart from its normalised shape).
"""

from __future__ import annotations

from keras import ops

EPSILON = 1e-12


def _mean_over_batch(per_sample):
    """Mean over the batch of a per-sample quantity, summing any trailing axes first."""
    per_sample = ops.convert_to_tensor(per_sample)
    if len(per_sample.shape) > 1:
        per_sample = ops.sum(ops.reshape(per_sample, (ops.shape(per_sample)[0], -1)), axis=1)
    return ops.mean(per_sample)


def log_sigmoid(logits):
    """``log(sigmoid(logits))`` without overflow."""
    return -ops.softplus(-logits)


def discriminator_loss(real_logits, fake_logits):
    """``-E log D(real) - E log(1 - D(fake))`` (Yi & Mak eqs. 2, 5, 7, 10)."""
    return -ops.mean(log_sigmoid(real_logits)) - ops.mean(log_sigmoid(-fake_logits))


def generator_loss_non_saturating(fake_logits):
    """``-E log D(fake)`` (Yi & Mak eqs. 3, 6, 8)."""
    return -ops.mean(log_sigmoid(fake_logits))


def generator_loss_minimax(fake_logits):
    """``E log(1 - D(fake))`` (the first term of Yi & Mak eq. 14)."""
    return ops.mean(log_sigmoid(-fake_logits))


def masked_mean(values, mask):
    """Mean of ``values`` over the last axis, counting only entries where ``mask`` is 1 (0 for an empty row)."""
    mask = ops.cast(mask, values.dtype)
    return ops.sum(values * mask, axis=-1) / ops.maximum(ops.sum(mask, axis=-1), 1.0)


def discriminator_loss_per_row(real_logits, fake_logits, mask):
    """:func:`discriminator_loss` of every row ``[..., batch]`` over its unmasked entries (one GAN per row)."""
    return -masked_mean(log_sigmoid(real_logits), mask) - masked_mean(log_sigmoid(-fake_logits), mask)


def generator_loss_non_saturating_per_row(fake_logits, mask):
    """:func:`generator_loss_non_saturating` of every row ``[..., batch]`` over its unmasked entries."""
    return -masked_mean(log_sigmoid(fake_logits), mask)


def weighted_cross_entropy(labels, logits, class_weights=None):
    """``-E w_y log softmax(logits)_y`` with integer ``labels`` (eq. 11 with weights n_max/n_k)."""
    labels = ops.cast(labels, "int32")
    log_probs = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(log_probs, ops.expand_dims(labels, -1), axis=-1)[..., 0]
    if class_weights is None:
        return -ops.mean(picked)
    weights = ops.take(ops.convert_to_tensor(class_weights, dtype=logits.dtype), labels)
    return -ops.mean(weights * picked)


def domain_confusion(domains, logits):
    """Cross-entropy of the domain classifier's output against the uniform distribution over the domains present
    in the batch: ``-E_x (1/|D_b|) Σ_{d ∈ D_b} log softmax(logits)_d`` (Tzeng et al., ICCV 2015, eq. 3, the
    "domain confusion" loss). Bounded below by ``log |D_b|``, unlike the reversed cross-entropy it replaces."""
    present = ops.max(ops.one_hot(ops.cast(domains, "int32"), ops.shape(logits)[-1], dtype=logits.dtype), axis=0)
    target = present / ops.maximum(ops.sum(present), 1.0)
    return -ops.mean(ops.sum(target * ops.log_softmax(logits, axis=-1), axis=-1))


def labelled_cross_entropy(labels, logits, class_weights=None):
    """:func:`weighted_cross_entropy` over the labelled rows only: ``-Σ_labelled w_y log softmax(logits)_y /
    n_labelled``, where a label of ``-1`` marks an unlabelled row (it gets no gradient); 0 when no row is labelled.
    The supervised phase of the semi-supervised AAE (ICASSP 2019, Sec. 4.1, third phase)."""
    labels = ops.cast(labels, "int32")
    labelled = ops.cast(labels >= 0, logits.dtype)
    safe = ops.maximum(labels, 0)
    log_probs = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(log_probs, ops.expand_dims(safe, -1), axis=-1)[..., 0]
    weights = labelled
    if class_weights is not None:
        weights = weights * ops.take(ops.convert_to_tensor(class_weights, dtype=logits.dtype), safe)
    return -ops.sum(weights * picked) / ops.maximum(ops.sum(labelled), 1.0)


def reconstruction_loss(x, x_hat, reduction: str = "sum"):
    """Squared error ``||x - x_hat||^2`` per sample (``"sum"``, eq. 12) or per value (``"mean"``)."""
    squared = ops.square(x - x_hat)
    if reduction == "sum":
        return _mean_over_batch(squared)
    if reduction == "mean":
        return ops.mean(squared)
    raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")


def gradient_norm_power(gradients, power: float):
    """``E ||g||^p`` over the batch, with an epsilon inside the square root (Wu et al. eq. 16)."""
    flat = ops.reshape(gradients, (ops.shape(gradients)[0], -1))
    norms = ops.sqrt(ops.sum(ops.square(flat), axis=1) + EPSILON)
    return ops.mean(ops.power(norms, power))


def wasserstein_divergence_critic_loss(real_scores, fake_scores, penalty, weight: float):
    """``E D(real) - E D(fake) + λ E ||∇D(x̆)||^p`` (Yi & Mak eq. 17); ``penalty`` = the expectation."""
    return ops.mean(real_scores) - ops.mean(fake_scores) + weight * penalty


def interpolate(real, fake, mu):
    """``(1 - μ) real + μ fake`` with one ``μ`` per sample, broadcast over trailing axes."""
    mu = ops.reshape(mu, (-1,) + (1,) * (len(real.shape) - 1))
    return (1.0 - mu) * real + mu * fake


# ----------------------------------------------------------------- contour terms ([batch, frames, channels])
def _check_sequences(x, name: str) -> None:
    if len(x.shape) != 3:
        raise ValueError(f"{name} takes [batch, frames, channels] sequences, got shape {tuple(x.shape)}")


def contour_statistics(x, epsilon: float = 1e-4):
    """Each sequence's per-channel mean and log standard deviation over its frames: ``[batch, channels]`` twice
    (``log std = ½ log(var + epsilon)``)."""
    _check_sequences(x, "contour_statistics")
    mean = ops.mean(x, axis=1)
    variance = ops.mean(ops.square(x - mean[:, None, :]), axis=1)
    return mean, 0.5 * ops.log(variance + epsilon)


def log_variance_matching(x, x_hat, *, order: int = 0, epsilon: float = 1e-4):
    """``E_{batch, channels} (log GV(x̂) - log GV(x))²``: the global variance (GV, the variance over the frames of
    one sequence) of each decoded sequence against its target's (``order=0``), or the GV of their first
    differences (``order=1``, how fast the contour moves). Toda & Tokuda 2007 model the GV of each utterance; this
    matches it utterance by utterance, on a log scale (scale-free, symmetric in over- and under-smoothing)."""
    _check_sequences(x, "log_variance_matching")
    if order not in (0, 1):
        raise ValueError(f"order must be 0 (the contour) or 1 (its first differences), got {order!r}")
    if order:
        x, x_hat = x[:, 1:] - x[:, :-1], x_hat[:, 1:] - x_hat[:, :-1]
    return ops.mean(ops.square(contour_statistics(x_hat, epsilon)[1] - contour_statistics(x, epsilon)[1])) * 4.0


def _log_modulation_spectrum(x, segment: int, epsilon: float):
    """``[batch, channels, segment // 2]``: log of the mean power over the whole ``segment``-frame pieces of each
    sequence of the DFT over time of the piece minus its mean (DC dropped)."""
    frames, channels = int(x.shape[1]), int(x.shape[2])
    pieces = frames // segment
    x = ops.reshape(x[:, : pieces * segment], (-1, pieces, segment, channels))
    x = ops.transpose(x - ops.mean(x, axis=2, keepdims=True), (0, 3, 1, 2))  # [batch, channels, pieces, segment]
    real, imaginary = ops.rfft(x)
    power = ops.mean(ops.square(real) + ops.square(imaginary), axis=2)[..., 1 : segment // 2 + 1] / segment
    return ops.log(power + epsilon)


def modulation_spectrum_loss(x, x_hat, *, segment: int = 64, epsilon: float = 1e-4):
    """``E_{batch, channels, frequencies} (log MS(x̂) - log MS(x))²``, where MS is each sequence's modulation spectrum:
    the power of the DFT over time of its ``segment``-frame pieces, averaged over the pieces (Welch's estimate;
    Takamichi et al., ICASSP 2014: the MS of a parameter trajectory; ICASSP 2015: trained with an MS term).
    A sequence shorter than ``segment`` is taken as one piece."""
    _check_sequences(x, "modulation_spectrum_loss")
    segment = min(int(segment), int(x.shape[1]))
    return ops.mean(
        ops.square(_log_modulation_spectrum(x_hat, segment, epsilon) - _log_modulation_spectrum(x, segment, epsilon))
    )


def contour_statistics_loss(x, mean, log_std, epsilon: float = 1e-4):
    """``E (mean - mean_t x)² + E (log_std - log std_t x)²`` over batch and channels: predicted per-sequence
    statistics against those of the target sequences ``x`` (FastSpeech 2's pitch mean and std targets)."""
    target_mean, target_log_std = contour_statistics(x, epsilon)
    return ops.mean(ops.square(mean - target_mean)) + ops.mean(ops.square(log_std - target_log_std))
