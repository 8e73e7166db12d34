"""Fold-wise feature normalisation: which statistics z-normalise which rows.

``global``: one mean / std from the training groups' speech (Yi & Mak, journal Sec. IV-B). ``speaker``: every
speaker (the unlabelled test speaker included) with its own statistics, a common SER alternative that removes speaker
offsets. ``corpus``: every corpus with its own statistics, the usual first step of cross-corpus work (Schuller et al.,
"Cross-corpus acoustic emotion recognition: variances and strategies", IEEE TAC 2010). Features of zero variance on
the training groups are dropped in every mode. Statistics need no labels: a speaker's or corpus's statistics come
from all of its speech, including classes a class set leaves out (:class:`serzoo.data.Corpus`), since dropping, say,
EmoDB's boredom before normalising shifts each speaker's mean by its emotion mix.

Example:
    >>> normalizer = Normalizer("speaker").fit(train_x).fit_groups(all_x, all_speakers)   # doctest: +SKIP
    >>> normalizer.transform(test_x, test_speakers)                                        # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np

#: How rows are z-normalised (see the module docstring).
NORMALISATIONS = ("global", "speaker", "corpus")
#: A standard deviation below this is zero: the feature is dropped (training groups) or left unscaled (a group).
MIN_STD = 1e-8


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = x.reshape(-1, x.shape[-1]).astype(np.float64)
    return flat.mean(axis=0), flat.std(axis=0)


@dataclasses.dataclass
class Normalizer:
    """Fold-wise preprocessing fitted on training data only (``fit``), plus, for the ``speaker`` / ``corpus``
    modes, each group's own statistics (``fit_groups``).

    A group without fitted statistics is normalised with the statistics of its rows passed to ``transform``.
    """

    mode: str = "global"
    keep: np.ndarray | None = None
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    dropped_values: np.ndarray | None = None  # the constant training value of each dropped feature
    group_stats: dict = dataclasses.field(default_factory=dict)  # group -> (mean, std) over the kept features

    def __post_init__(self):
        if self.mode not in NORMALISATIONS:
            raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {self.mode!r}")

    def fit(self, x: np.ndarray) -> Normalizer:
        """The kept features (non-zero variance) and the global statistics of ``x``."""
        mean, std = _stats(x)
        self.keep = std > MIN_STD
        self.mean, self.std = mean[self.keep], std[self.keep]
        self.dropped_values = mean[~self.keep]
        return self

    def fit_statistics(self, x: np.ndarray) -> Normalizer:
        """Mean / std of ``x`` for the features of an existing ``keep`` mask (another corpus's own scale)."""
        if self.keep is None:
            raise ValueError("fit_statistics needs a keep mask (from fit, or passed to the constructor)")
        mean, std = _stats(x)
        self.mean, self.std = mean[self.keep], np.where(std[self.keep] > MIN_STD, std[self.keep], 1.0)
        self.dropped_values = mean[~self.keep]
        return self

    def fit_groups(self, x: np.ndarray, groups: np.ndarray) -> Normalizer:
        """Each group's own statistics (kept features) from its rows of ``x`` (all of its speech)."""
        if self.keep is None:
            raise ValueError("fit_groups needs the kept features: call fit on the training data first")
        groups = np.asarray(groups)
        x = np.asarray(x)[..., self.keep]
        for group in np.unique(groups):
            mean, std = _stats(x[groups == group])
            self.group_stats[group] = (mean, np.where(std > MIN_STD, std, 1.0))
        return self

    def transform(self, x: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
        """``x``'s kept features z-normalised: with the global statistics, or per group (speaker or corpus name of
        every row, needed by the ``speaker`` and ``corpus`` modes)."""
        if self.keep is None:
            raise ValueError("Normalizer.transform called before fit")
        x = np.asarray(x)[..., self.keep].astype(np.float64)
        if self.mode == "global":
            return ((x - self.mean) / self.std).astype(np.float32)
        if groups is None:
            raise ValueError(f"{self.mode} normalisation needs the {self.mode} of every row")
        groups = np.asarray(groups)
        out = np.empty_like(x)
        for group in np.unique(groups):
            rows = groups == group
            if group in self.group_stats:
                mean, std = self.group_stats[group]
            else:
                mean, std = _stats(x[rows])
                std = np.where(std > MIN_STD, std, 1.0)
            out[rows] = (x[rows] - mean) / std
        return out.astype(np.float32)

    def inverse_transform(self, z: np.ndarray) -> np.ndarray:
        """Back to the kept features' original scale (global statistics)."""
        return (np.asarray(z, np.float64) * self.std + self.mean).astype(np.float32)

    def restore(self, z: np.ndarray) -> np.ndarray:
        """Normalised kept features → all original features (dropped ones at their constant value)."""
        out = np.empty((len(z), self.keep.size), np.float32)
        out[:, self.keep] = self.inverse_transform(z)
        out[:, ~self.keep] = self.dropped_values
        return out
