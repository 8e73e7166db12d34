"""Fixed-length crops of frame-level sequences (``[frames, LLDs]``, e.g. ``compare_lld``) for the Conv1D models.

The frame-level models see crops of ``crop_frames`` frames. The policy, one for training and evaluation:

- an utterance shorter than a crop is repeated (tiled) until it fills one, so every frame a model sees is a
  real frame and no mask is needed;
- training (:func:`random_crops`): one crop per utterance and epoch at a uniformly random offset (into the
  tiled utterance when it is short);
- evaluation (:func:`evaluation_crops`): the utterance is covered by ``ceil(frames / crop_frames)`` crops, the
  last one aligned to the utterance's end, and its posterior is the mean over its crops
  (:func:`utterance_posteriors`). The same TensorFlow function runs inside the exported ``classify``;
- augmentation at equal updates (:func:`epoch_rows`): an epoch draws as many rows as there are real utterances
  from the real utterances and the synthetic crops together, so augmented training makes exactly the optimizer
  updates of real-only training.
"""

from __future__ import annotations

import numpy as np


def _check_sequences(sequences, crop_frames: int) -> None:
    if int(crop_frames) < 1:
        raise ValueError(f"crop_frames must be a positive integer, got {crop_frames!r}")
    for i, sequence in enumerate(sequences):
        if np.ndim(sequence) != 2 or len(sequence) == 0:
            raise ValueError(
                f"sequence {i} must be a non-empty [frames, features] array, got shape "
                f"{np.shape(sequence)}; frame-level models need a frame-level feature set "
                "such as compare_lld"
            )


def random_crops(sequences, crop_frames: int, rng: np.random.Generator) -> np.ndarray:
    """One ``[crop_frames, features]`` crop per sequence at a random offset → ``float32[n, crop_frames, features]``."""
    _check_sequences(sequences, crop_frames)
    crops = []
    for sequence in sequences:
        length = len(sequence)
        last_start = length - crop_frames if length >= crop_frames else length - 1  # short: into the tiling
        start = rng.integers(0, last_start + 1)
        crops.append(np.asarray(sequence)[(start + np.arange(crop_frames)) % length])
    return np.stack(crops).astype(np.float32)


def evaluation_crops(x, crop_frames: int):
    """``[n, frames, features]`` (one length) → ``[n, n_crops, crop_frames, features]`` covering every frame.

    TensorFlow ops, so the exported classifier runs the same function in its graph.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(x)
    length = tf.shape(x)[1]
    total = tf.maximum(length, crop_frames)
    tiled = tf.tile(x, [1, (crop_frames + length - 1) // length, 1])[:, :total]
    n_crops = (total + crop_frames - 1) // crop_frames
    starts = tf.minimum(tf.range(n_crops) * crop_frames, total - crop_frames)
    return tf.gather(tiled, starts[:, None] + tf.range(crop_frames)[None, :], axis=1)


def utterance_posteriors(classify, sequences, crop_frames: int) -> np.ndarray:
    """Class posteriors per utterance: the mean of ``classify`` (``[m, crop, features] → [m, classes]``) over the
    utterance's :func:`evaluation_crops`. Utterances of one length are classified together."""
    _check_sequences(sequences, crop_frames)
    lengths = np.array([len(s) for s in sequences])
    out = None
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        crops = np.asarray(evaluation_crops(np.stack([sequences[i] for i in rows]).astype(np.float32), crop_frames))
        n, n_crops = crops.shape[:2]
        probabilities = np.asarray(classify(crops.reshape(n * n_crops, *crops.shape[2:])))
        if out is None:
            out = np.empty((len(sequences), probabilities.shape[-1]), np.float32)
        out[rows] = probabilities.reshape(n, n_crops, -1).mean(axis=1)
    return out


def epoch_rows(n_real: int, n_synthetic: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of augmented training at equal updates: ``n_real`` rows drawn without replacement from a pool of
    the ``n_real`` real and ``n_synthetic`` synthetic rows → (the real rows drawn, the synthetic rows drawn), each
    sorted. Every real row is drawn with probability ``n_real / (n_real + n_synthetic)`` per epoch."""
    if n_real < 1 or n_synthetic < 0:
        raise ValueError(f"epoch_rows needs n_real >= 1 and n_synthetic >= 0, got {n_real}, {n_synthetic}")
    drawn = np.sort(rng.permutation(n_real + n_synthetic)[:n_real])
    return drawn[drawn < n_real], drawn[drawn >= n_real] - n_real
