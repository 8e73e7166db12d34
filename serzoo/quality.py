"""Quality of synthetic emotion features against real ones (Sahu et al.'s metrics 1-3, MMD), and of generated
frame-level contours against real ones.

Feature vectors:

- TRTS (metric 1): a linear SVM trained on real data labels the synthetic data (UAR);
- TSTR (metric 2): trained on synthetic data, tested on real data (UAR);
- FID (metric 3): Fréchet distance on the third hidden layer of an MLP (4 × 64 ReLU, softmax)
  trained on real data for 30 epochs (:class:`FidScorer`);
- MMD with the RBF mixture of Yi & Mak (:func:`serzoo.metrics.mmd_rbf`).

Contours (``[frames, LLDs]`` sequences, :func:`contour_quality`), each per LLD and summarised by the median over
the LLDs:

- global variance (GV) ratio, synthetic / real (:func:`global_variance`; Toda & Tokuda, IEICE Trans. Inf. & Syst.
  2007, the GV of a parameter trajectory: its variance over the utterance's frames, averaged over utterances);
- delta spread ratio (:func:`delta_spread`: the standard deviation of the first differences ``x_{t+1} - x_t``);
- lag-1 autocorrelation of real and synthetic contours (:func:`lag1_autocorrelation`; how smooth a contour is);
- modulation-spectrum distance (:func:`modulation_spectrum_distance`; Takamichi et al., ICASSP 2014 and 2015: the
  power spectrum of a parameter trajectory over time, in dB);
- MMD, TRTS and TSTR on utterance functionals of the contours (:mod:`serzoo.functionals`), the distance between
  utterance-level statistics of the real and synthetic sets (TimeGAN, NeurIPS 2019, scores synthetic sequences by
  classifiers trained on one set and tested on the other).

:func:`contour_reference` gives the same measures between two halves of the real data, the reference of every
report (what "as real as real data" reads).

Example:
    >>> scorer = FidScorer(n_classes=7, seed=0).fit(x_train, y_train)   # doctest: +SKIP
    >>> scorer.score(x_train, synthetic)                                # doctest: +SKIP
    >>> generator_quality(x_train, y_train, synthetic, y_syn, 7)        # doctest: +SKIP
    >>> contour_quality(real_crops, y, generated_crops, y_gen, 7)       # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np

from serzoo.metrics import frechet_distance, mmd_rbf, unweighted_average_recall


def generator_quality(x_real, y_real, x_syn, y_syn, n_classes: int, *, fid: bool = False, tstr: bool = True) -> dict:
    """MMD, TRTS and TSTR (UAR) — and FID if ``fid`` — between real and synthetic normalised features.

    ``tstr=False`` leaves TSTR out: its SVM trains on the synthetic set, and libsvm can take many minutes to
    converge on samples far outside the data's scale (a search's failed generators), while TRTS's trains on real data.
    """
    from serzoo.models.classifiers import LinearSvm

    on_synthetic = LinearSvm().fit(x_real, y_real).predict(x_syn)
    quality = {"mmd": mmd_rbf(x_real, x_syn), "trts_uar": unweighted_average_recall(y_syn, on_synthetic, n_classes)}
    if tstr:
        on_real = LinearSvm().fit(x_syn, y_syn).predict(x_real)
        quality["tstr_uar"] = unweighted_average_recall(y_real, on_real, n_classes)
    if fid:
        quality["fid"] = FidScorer(n_classes).fit(x_real, y_real).score(x_real, x_syn)
    return quality


@dataclasses.dataclass
class FidScorer:
    """Embedding network of the FID and the score (Sahu et al., "metric 3").

    Args:
        n_classes: classes of the softmax output.
        widths: hidden layers (paper: 4 × 64); the embedding is hidden layer ``layer`` (1-based).
        epochs, batch_size, learning_rate: training of the MLP on real data (paper: 30 epochs).
        seed: seed of the initialisation and shuffling.
    """

    n_classes: int
    widths: tuple = (64, 64, 64, 64)
    layer: int = 3
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0

    def fit(self, x, y):
        import keras

        from serzoo.networks import mlp

        keras.utils.set_random_seed(self.seed)
        x = np.asarray(x, np.float32)
        network = mlp(x.shape[1], self.widths, output_dim=self.n_classes, output_activation="softmax", name="fid")
        network.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="sparse_categorical_crossentropy")
        network.fit(x, np.asarray(y), batch_size=self.batch_size, epochs=self.epochs, verbose=0)
        hidden = network.get_layer(f"fid_act{self.layer - 1}").output
        self.embedding_ = keras.Model(network.input, hidden)
        return self

    def embed(self, x) -> np.ndarray:
        return np.asarray(self.embedding_.predict(np.asarray(x, np.float32), verbose=0, batch_size=1024))

    def score(self, x_real, x_synthetic) -> float:
        """FID between two sets of (normalised) feature vectors."""
        return frechet_distance(self.embed(x_real), self.embed(x_synthetic))


# ----------------------------------------------------------------- contours
#: Frames per segment of :func:`modulation_spectrum` (0.64 s of 10 ms frames: modulation frequencies up to 50 Hz in
#: steps of 1.56 Hz).
MS_SEGMENT = 64
#: Power floor of the modulation spectrum (a flat contour's spectrum is 0: -100 dB instead of -inf).
MS_FLOOR = 1e-10


def _sequences(sequences, name: str) -> list[np.ndarray]:
    out = [np.asarray(s, np.float64) for s in sequences]
    if not out or any(s.ndim != 2 or not len(s) for s in out) or len({s.shape[1] for s in out}) > 1:
        raise ValueError(f"{name}: pass non-empty [frames, LLDs] sequences of one LLD count")
    return out


def global_variance(sequences) -> np.ndarray:
    """Per LLD, the mean over sequences of each sequence's variance over its frames (Toda & Tokuda 2007's GV)."""
    return np.mean([s.var(axis=0) for s in _sequences(sequences, "global_variance")], axis=0)


def delta_spread(sequences) -> np.ndarray:
    """Per LLD, the mean over sequences of the standard deviation of the first differences over time (0 for a
    one-frame sequence)."""
    return np.mean(
        [
            np.diff(s, axis=0).std(axis=0) if len(s) > 1 else np.zeros(s.shape[1])
            for s in _sequences(sequences, "delta_spread")
        ],
        axis=0,
    )


def lag1_autocorrelation(sequences) -> np.ndarray:
    """Per LLD, the mean over sequences of ``Σ_t (x_t - m)(x_{t+1} - m) / Σ_t (x_t - m)²`` with ``m`` the
    sequence's mean (near 1: smooth; near 0: white; 0 for a constant contour)."""
    values = []
    for s in _sequences(sequences, "lag1_autocorrelation"):
        centred = s - s.mean(axis=0)
        power = (centred**2).sum(axis=0)
        lagged = (centred[1:] * centred[:-1]).sum(axis=0)
        values.append(np.divide(lagged, power, out=np.zeros_like(power), where=power > 1e-12))
    return np.mean(values, axis=0)


def modulation_spectrum(sequences, segment: int = MS_SEGMENT) -> np.ndarray:
    """``[segment // 2, LLDs]``: the modulation spectrum in dB, ``10 log10`` of the mean over every whole
    ``segment``-frame piece of every sequence of ``|DFT(x - mean(x))|² / segment``, without the DC bin (the level is
    the functionals' business). Sequences shorter than ``segment`` are skipped (an error if all are).

    Reference: Takamichi et al., "A postfilter to modify the modulation spectrum in HMM-based speech synthesis",
    ICASSP 2014 (the MS of a parameter trajectory: the power of its DFT over time).
    """
    pieces = [
        s[start : start + segment]
        for s in _sequences(sequences, "modulation_spectrum")
        for start in range(0, len(s) - segment + 1, segment)
    ]
    if not pieces:
        raise ValueError(f"modulation_spectrum: no sequence has {segment} frames; pass a smaller segment")
    x = np.stack(pieces)
    power = np.abs(np.fft.rfft(x - x.mean(axis=1, keepdims=True), axis=1)[:, 1 : segment // 2 + 1]) ** 2 / segment
    return 10.0 * np.log10(np.maximum(power.mean(axis=0), MS_FLOOR))


def modulation_spectrum_distance(real, synthetic, segment: int = MS_SEGMENT) -> float:
    """The mean over LLDs of the root-mean-square difference (dB) between the :func:`modulation_spectrum` of
    ``real`` and ``synthetic`` over the modulation frequencies."""
    difference = modulation_spectrum(real, segment) - modulation_spectrum(synthetic, segment)
    return float(np.sqrt((difference**2).mean(axis=0)).mean())


def _ratio(numerator, denominator) -> np.ndarray:
    return np.divide(numerator, denominator, out=np.full_like(numerator, np.nan), where=denominator > 1e-12)


def contour_quality(
    real, y_real, synthetic, y_syn, n_classes: int, *, segment: int = MS_SEGMENT, tstr: bool = True
) -> dict:
    """The contour measures of the module docstring between ``real`` and ``synthetic`` ``[frames, LLDs]``
    sequences (one scale: both normalised, or both original), JSON-ready.

    Keys: ``gv_ratio``, ``delta_spread_ratio`` (medians over LLDs of synthetic / real; an LLD that is constant
    in the real data is left out), ``lag1_real``, ``lag1_synthetic`` (medians over LLDs), ``ms_distance`` (dB),
    ``functionals_mmd``, ``functionals_trts_uar`` and, with ``tstr``, ``functionals_tstr_uar`` (functionals
    z-normalised with the real set's statistics), and ``per_lld``: each per-LLD array as a list.
    """
    from serzoo.data import Normalizer
    from serzoo.functionals import functionals

    gv = _ratio(global_variance(synthetic), global_variance(real))
    spread = _ratio(delta_spread(synthetic), delta_spread(real))
    lag_real, lag_syn = lag1_autocorrelation(real), lag1_autocorrelation(synthetic)
    f_real, f_syn = functionals(real), functionals(synthetic)
    normalizer = Normalizer("global").fit(f_real)
    scores = generator_quality(
        normalizer.transform(f_real), y_real, normalizer.transform(f_syn), y_syn, n_classes, tstr=tstr
    )
    return {
        "gv_ratio": float(np.nanmedian(gv)),
        "delta_spread_ratio": float(np.nanmedian(spread)),
        "lag1_real": float(np.median(lag_real)),
        "lag1_synthetic": float(np.median(lag_syn)),
        "ms_distance": modulation_spectrum_distance(real, synthetic, segment),
        **{f"functionals_{name}": float(value) for name, value in scores.items()},
        "per_lld": {
            "gv_ratio": gv.tolist(),
            "delta_spread_ratio": spread.tolist(),
            "lag1_real": lag_real.tolist(),
            "lag1_synthetic": lag_syn.tolist(),
        },
    }


def contour_reference(sequences, y, n_classes: int, *, seed: int = 0, **options) -> dict:
    """:func:`contour_quality` of one half of real ``sequences`` (a stratified random half, chosen with ``seed``)
    against the other half: the values a generator as real as the real data would get."""
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    first = np.zeros(len(y), bool)
    for k in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == k))
        first[rows[: len(rows) // 2]] = True
    if first.all() or not first.any():
        raise ValueError("contour_reference needs at least two sequences of some class to split into halves")
    a, b = [s for s, f in zip(sequences, first) if f], [s for s, f in zip(sequences, first) if not f]
    return contour_quality(a, y[first], b, y[~first], n_classes, **options)
