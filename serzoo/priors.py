"""Priors of the code space: a Gaussian mixture with one component per class.

Sahu et al. 2017 (after Makhzani et al. 2016, Fig. 3) regularise an adversarial autoencoder's codes
towards a GMM whose k-th component belongs to class k; M1 of Sahu et al. uses four 2-D Gaussians
with orthogonal means, generalised here to C classes.
"""

from __future__ import annotations

import numpy as np


def class_component_means(n_classes: int, dim: int, spread: float = 5.0) -> np.ndarray:
    """``[n_classes, dim]`` means spread evenly at distance ``spread`` from the origin.

    ``dim == 1``: evenly spaced on ``[-spread, spread]``; ``dim >= n_classes``: ``spread`` times the
    unit vectors (orthogonal means); otherwise: evenly on a circle in the first two dimensions.
    """
    if n_classes < 1 or dim < 1:
        raise ValueError(f"need n_classes >= 1 and dim >= 1, got {n_classes} and {dim}")
    means = np.zeros((n_classes, dim), np.float32)
    if dim == 1:
        means[:, 0] = np.linspace(-spread, spread, n_classes) if n_classes > 1 else 0.0
    elif dim >= n_classes:
        means[np.arange(n_classes), np.arange(n_classes)] = spread
    else:
        angles = 2 * np.pi * np.arange(n_classes) / n_classes
        means[:, 0], means[:, 1] = spread * np.cos(angles), spread * np.sin(angles)
    return means
