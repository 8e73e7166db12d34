"""Classification metrics of the SER papers: UAR, WA and the confusion matrix.

Reference: Yi & Mak, journal eqs. 19-20: WA = sum_k TP_k / sum_k N_k; UAR = (1/K) sum_k TP_k / N_k.
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Counts ``[true class, predicted class]`` as an ``int64`` matrix."""
    y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape")
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(f"{name} has labels outside 0..{n_classes - 1}")
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2).reshape(n_classes, n_classes)


def weighted_accuracy(y_true, y_pred) -> float:
    """WA: the fraction of correctly classified samples (overall accuracy)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.size == 0:
        raise ValueError("weighted_accuracy of an empty set")
    return float(np.mean(y_true == y_pred))


def unweighted_average_recall(y_true, y_pred, n_classes: int) -> float:
    """UAR: mean per-class recall over the classes present in ``y_true``."""
    matrix = confusion_matrix(y_true, y_pred, n_classes)
    support = matrix.sum(axis=1)
    present = support > 0
    if not present.any():
        raise ValueError("unweighted_average_recall of an empty set")
    return float(np.mean(np.diag(matrix)[present] / support[present]))


def classification_summary(y_true, y_pred, n_classes: int) -> dict:
    """UAR, WA, the confusion matrix and the sample count, JSON-ready."""
    return {
        "uar": unweighted_average_recall(y_true, y_pred, n_classes),
        "wa": weighted_accuracy(y_true, y_pred),
        "confusion": confusion_matrix(y_true, y_pred, n_classes).tolist(),
        "n": int(np.asarray(y_true).size),
    }


def paired_uar_gain(row: dict, baseline: dict) -> dict:
    """UAR gain of ``row`` over ``baseline`` (e.g. a classifier with and without augmentation), both summaries with
    ``per_seed`` = [{"seed", "uar"}] and ``fold_uar`` = {fold: UAR}: the per-seed differences paired by seed, in
    points (``mean``, ``std`` over seeds), and the folds whose UAR went ``up`` / ``down`` (seeds and folds missing
    from either side are left out)."""
    base = {s["seed"]: s["uar"] for s in baseline["per_seed"]}
    diffs = np.array([100 * (s["uar"] - base[s["seed"]]) for s in row["per_seed"] if s["seed"] in base])
    folds = np.array(
        [row["fold_uar"][f] - baseline["fold_uar"][f] for f in row["fold_uar"] if f in baseline["fold_uar"]]
    )
    return {
        "mean": float(diffs.mean()),
        "std": float(diffs.std()),
        "up": int((folds > 1e-12).sum()),
        "down": int((folds < -1e-12).sum()),
    }


MMD_SIGMAS = (0.1, 1.0, 5.0, 10.0, 100.0)


def mmd_rbf(x, y, sigmas=MMD_SIGMAS) -> float:
    """Squared MMD (biased V-statistic) with a sum of RBF kernels ``exp(-||a-b||² / (2σ²))``.

    Reference: Gretton et al. 2012; Yi & Mak (journal, Sec. V) use σ ∈ {0.1, 1, 5, 10, 100}.
    """
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1] or not len(x) or not len(y):
        raise ValueError(f"mmd_rbf needs two non-empty [n, dim] arrays of one dim, got {x.shape}, {y.shape}")

    def mean_kernel(a, b):
        sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
        sq = np.maximum(sq, 0.0)
        return sum(np.exp(-sq / (2.0 * s * s)).mean() for s in sigmas)

    return float(mean_kernel(x, x) + mean_kernel(y, y) - 2.0 * mean_kernel(x, y))


def mmd_rbf_per_class(x_real, y_real, x_syn, y_syn, sigmas=MMD_SIGMAS) -> dict[int, float]:
    """:func:`mmd_rbf` between the real and synthetic samples of each class present in both."""
    y_real, y_syn = np.asarray(y_real), np.asarray(y_syn)
    shared = sorted(set(np.unique(y_real).tolist()) & set(np.unique(y_syn).tolist()))
    return {int(k): mmd_rbf(np.asarray(x_real)[y_real == k], np.asarray(x_syn)[y_syn == k], sigmas) for k in shared}


def frechet_distance(a, b) -> float:
    """``||μa − μb||² + tr(Σa + Σb − 2 (Σa Σb)^½)`` between Gaussians fitted to ``a`` and ``b``.

    On embeddings of a classifier this is the FID (Heusel et al. 2017; Sahu et al.'s metric 3 uses
    the third hidden layer of an MLP trained on real data, see :class:`serzoo.quality.FidScorer`).
    """
    from scipy import linalg

    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or len(a) < 2 or len(b) < 2:
        raise ValueError(f"frechet_distance needs two [n >= 2, dim] arrays of one dim, got {a.shape}, {b.shape}")
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(root).all():  # singular product: regularise as in the reference implementation
        eps = 1e-6 * np.eye(len(cov_a))
        root = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    root = np.real(root)
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2.0 * root))


def spread_ratio(x_real, y_real, x_syn, y_syn) -> dict[str, float]:
    """How much of the real data's variety a synthetic set keeps (a diagnostic, not from the papers).

    ``within_class``: mean distance of the synthetic samples to their class centroid, divided by the
    same for the real samples (1 = as varied as the real data, near 0 = one point per class);
    ``total_variance``: summed feature variance, synthetic / real; ``centroid_offset``: mean distance
    between a class's real and synthetic centroids, divided by the real within-class distance.
    Classes present in both sets only.
    """
    x_real, x_syn = np.asarray(x_real, np.float64), np.asarray(x_syn, np.float64)
    y_real, y_syn = np.asarray(y_real), np.asarray(y_syn)
    classes = sorted(set(np.unique(y_real).tolist()) & set(np.unique(y_syn).tolist()))
    if not classes:
        raise ValueError("spread_ratio: the real and synthetic sets share no class")

    def spread(x, y):
        return np.mean([np.linalg.norm(x[y == k] - x[y == k].mean(0), axis=1).mean() for k in classes])

    real_spread = spread(x_real, y_real)
    offset = np.mean([np.linalg.norm(x_real[y_real == k].mean(0) - x_syn[y_syn == k].mean(0)) for k in classes])
    return {
        "within_class": float(spread(x_syn, y_syn) / real_spread),
        "total_variance": float(x_syn.var(0).sum() / x_real.var(0).sum()),
        "centroid_offset": float(offset / real_spread),
    }
