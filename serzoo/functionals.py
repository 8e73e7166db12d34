"""Utterance functionals of frame-level contours: a few statistics of every LLD over an utterance's frames.

openSMILE's functional sets (IS09-IS13) summarise each low-level descriptor (LLD) contour by statistics over the
utterance; this module computes a small such set from ``[frames, LLDs]`` sequences (real ``compare_lld`` utterances
or a frame-level generator's contours), so that real and generated contours can be compared, and classified, at
the utterance level (:func:`serzoo.quality.contour_quality`: TRTS / TSTR / MMD on functionals).

Per LLD contour ``x_1 … x_T`` (:data:`FUNCTIONALS`, in this order):

- ``mean``, ``std`` (population standard deviation, ``ddof=0``);
- ``p10``, ``p50``, ``p90``: percentiles with linear interpolation (numpy's default);
- ``slope``: the least-squares slope of ``x_t`` on the frame index ``t`` (openSMILE's ``linregc1``, per frame);
- ``mean_abs_delta``: the mean of ``|x_{t+1} - x_t|`` (how fast the contour moves).

A one-frame utterance has ``std = slope = mean_abs_delta = 0``. Columns are LLD-major: all functionals of LLD 0,
then of LLD 1, … (:func:`functional_names`).

Example:
    >>> import numpy as np
    >>> functionals([np.arange(4.0)[:, None]]).round(2).tolist()
    [[1.5, 1.12, 0.3, 1.5, 2.7, 1.0, 1.0]]

Reference: Schuller et al., "The INTERSPEECH 2009 emotion challenge" (LLDs × functionals); Eyben et al.,
openSMILE (ACM MM 2010) for the functional names.
"""

from __future__ import annotations

import numpy as np

FUNCTIONALS = ("mean", "std", "p10", "p50", "p90", "slope", "mean_abs_delta")
_PERCENTILES = (10, 50, 90)


def _as_sequences(sequences) -> list[np.ndarray]:
    """A list of ``float64[frames, LLDs]`` arrays of one LLD count (from a list, an object array or a 3-D array)."""
    out = [np.asarray(s, np.float64) for s in sequences]
    if not out:
        raise ValueError("functionals of no sequences: pass at least one [frames, LLDs] array")
    for i, s in enumerate(out):
        if s.ndim != 2 or len(s) == 0:
            raise ValueError(f"sequence {i} must be a non-empty [frames, LLDs] array, got shape {s.shape}")
        if s.shape[1] != out[0].shape[1]:
            raise ValueError(f"sequence {i} has {s.shape[1]} LLDs, sequence 0 has {out[0].shape[1]}")
    return out


def _group_functionals(x: np.ndarray) -> np.ndarray:
    """``[m, T, D]`` (one length) → ``[m, D, len(FUNCTIONALS)]``."""
    frames = x.shape[1]
    t = np.arange(frames) - (frames - 1) / 2.0
    centred = x - x.mean(axis=1, keepdims=True)
    denominator = float((t**2).sum())
    slope = np.einsum("t,mtd->md", t, centred) / denominator if denominator else np.zeros(x.shape[::2])
    delta = np.abs(np.diff(x, axis=1)).mean(axis=1) if frames > 1 else np.zeros(x.shape[::2])
    columns = [x.mean(axis=1), x.std(axis=1), *np.percentile(x, _PERCENTILES, axis=1), slope, delta]
    return np.stack(columns, axis=-1)


def functionals(sequences) -> np.ndarray:
    """``float32[n, LLDs × len(FUNCTIONALS)]``: the :data:`FUNCTIONALS` of every LLD of every sequence.

    ``sequences``: ``[frames, LLDs]`` arrays (any lengths; a list, an object array, or one ``[n, frames, LLDs]``
    array). Sequences of one length are computed together.
    """
    sequences = _as_sequences(sequences)
    lengths = np.array([len(s) for s in sequences])
    n_llds = sequences[0].shape[1]
    out = np.empty((len(sequences), n_llds, len(FUNCTIONALS)), np.float64)
    for length in np.unique(lengths):
        rows = np.flatnonzero(lengths == length)
        out[rows] = _group_functionals(np.stack([sequences[i] for i in rows]))
    return out.reshape(len(sequences), -1).astype(np.float32)


def functional_names(lld_names) -> list[str]:
    """Column names of :func:`functionals`: ``<lld>_<functional>``, LLD-major."""
    return [f"{lld}_{name}" for lld in lld_names for name in FUNCTIONALS]
