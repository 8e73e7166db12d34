"""Input checks at the augmentation API boundary (:mod:`serzoo.augmenters`), in one place.

Every entry point (:func:`~serzoo.augmenters.augment`, an augmenter's ``fit``/``sample``,
:func:`~serzoo.augmenters.augmented_sets`) runs these before any fitting, so bad input fails with a
``ValueError`` naming the argument, not with a numpy error or a silently wrong result (one NaN in
``x`` spreading into every synthetic row, a label 1.7 truncated to 1).
"""

from __future__ import annotations

import numbers
import os

import numpy as np


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _as_array(value, name: str) -> np.ndarray:
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged nested lists
        raise ValueError(f"{name} is not a rectangular array ({err})") from err


def check_k(k) -> int:
    """``k``, the number of synthetic sets: a non-negative int (``True`` and ``2.0`` are refused)."""
    if not _is_int(k) or k < 0:
        raise ValueError(f"k (the number of synthetic sets) must be a non-negative int, got {k!r}")
    return int(k)


def check_labels(labels, name: str = "y", n_classes: int | None = None) -> np.ndarray:
    """1-D class ids in ``0..n_classes-1`` (``None``: any id >= 0) as int64.

    Whole-valued floats (``1.0``, as from a CSV or pandas column) are exact and accepted; ``1.7``,
    NaN, strings and other objects are refused, never truncated or parsed.
    """
    array = _as_array(labels, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D class ids, got shape {array.shape}")
    if array.dtype.kind in "USO":
        raise ValueError(
            f"{name} holds {'strings' if array.dtype.kind in 'US' else 'objects'} (e.g. "
            f"{array[0]!r}); class ids must be ints 0..C-1: map class names to ids first, "
            "e.g. names, ids = np.unique(labels, return_inverse=True)"
        )
    if array.dtype.kind == "f":
        fractional = ~np.isfinite(array) | (array != np.round(array))
        if fractional.any():
            raise ValueError(
                f"{name} has {int(fractional.sum())} label(s) that are not whole numbers (e.g. "
                f"{array[fractional][0]}); class ids must be ints 0..C-1 (they are never truncated)"
            )
    elif array.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integer class ids, got dtype {array.dtype}")
    ids = array.astype(np.int64)
    outside = (ids < 0) | (ids >= n_classes) if n_classes is not None else ids < 0
    if outside.any():
        what = f"labels outside 0..{n_classes - 1}" if n_classes is not None else "negative labels"
        raise ValueError(f"{name} has {what}: {sorted(set(ids[outside].tolist()))[:10]}")
    return ids


def check_training_data(x, y, n_classes: int | None, *, crops: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``x`` [n >= 1, dim >= 1] of finite numbers as float32 and ``y`` [n] class ids (:func:`check_labels`).

    ``n_classes`` must be a positive int, or ``None`` to accept any label >= 0. ``crops=True`` also accepts
    fixed-length frame crops ``[n, frames, dim]`` (frame-level schemes, :mod:`serzoo.frames`).
    """
    if n_classes is not None and (not _is_int(n_classes) or n_classes < 1):
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    x = _as_array(x, "x")
    if x.dtype.kind not in "biuf":
        raise ValueError(f"x must hold numbers (features), got dtype {x.dtype}")
    if x.ndim != 2 and not (crops and x.ndim == 3):
        also = " or 3-D frame crops [n, frames, features]" if crops else ""
        raise ValueError(f"x must be 2-D [n_samples, n_features]{also}, got shape {x.shape}")
    if x.shape[0] == 0 or x.shape[-1] == 0:
        raise ValueError(f"x has {x.shape[0]} rows and {x.shape[-1]} columns: augmentation needs training samples")
    with np.errstate(over="ignore"):
        x = x.astype(np.float32)
    bad = np.nonzero(~np.isfinite(x))
    bad_rows, bad_columns = bad[0], bad[-1]  # (row, column) of vectors; (row, frame, column) of frame crops
    if bad_rows.size:
        raise ValueError(
            f"x has {bad_rows.size} non-finite value(s) (NaN/inf, or beyond the float32 range) in "
            f"{np.unique(bad_rows).size} row(s) and {np.unique(bad_columns).size} column(s), first at row "
            f"{bad_rows[0]}, column {bad_columns[0]}; drop or impute them before augmenting"
        )
    y = check_labels(y, "y", n_classes)
    if y.size != x.shape[0]:
        raise ValueError(f"y has {y.size} labels but x has {x.shape[0]} rows; they must pair up")
    return x, y


def check_number(value, name: str, *, integer: bool = False, minimum=None, above=None):
    """``value`` if it is a finite number (an int if ``integer``; ``True`` and ``2.7`` epochs are refused, never
    truncated) that is ``>= minimum`` and ``> above``; otherwise a ``ValueError`` naming ``name``."""
    kind = "an int" if integer else "a finite number"
    bounds = [f">= {minimum}"] * (minimum is not None) + [f"> {above}"] * (above is not None)
    wanted = f"{kind}{' ' + ' and '.join(bounds) if bounds else ''}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    if integer and not _is_int(value):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    if not np.isfinite(value) or (minimum is not None and value < minimum) or (above is not None and value <= above):
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return value


#: Copies of the synthetic rows that exist at once while :func:`serzoo.augmenters.augment` builds its result (the
#: samples, their original scale, the concatenated output).
SYNTHETIC_COPIES = 3


def available_memory() -> int | None:
    """Bytes of memory available to new allocations (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_synthetic_memory(n_synthetic: int, row_shape, how: str) -> None:
    """Refuse ``n_synthetic`` synthetic rows of ``row_shape`` (float32; ``how``: e.g. ``"k=10 sets of 300 rows"``)
    that would not fit in the memory available, before anything is fitted or sampled (``k = 10**6`` on 3 rows ended
    in an out-of-memory crash)."""
    features = int(np.prod(row_shape))
    total = int(n_synthetic) * features * 4 * SYNTHETIC_COPIES
    free = available_memory()
    if free is not None and total > free:
        raise ValueError(
            f"{n_synthetic} synthetic rows ({how}) of {features} features need about {total / 2**30:.1f} GiB "
            f"(float32, {SYNTHETIC_COPIES} copies while the result is built), more than the {free / 2**30:.1f} GiB "
            "available: lower k (or augment in parts)"
        )
