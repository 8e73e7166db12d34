"""Classifiers over folds for many settings at once: the units behind the baseline table and the cross-corpus matrix.

A :class:`Cell` is one classifier run over every fold of a dataset under one fold scheme, normalisation, seed and,
optionally, a fraction of each training speaker's utterances plus synthetic rows from an augmenter fitted on them (the
low-resource protocol of Sahu et al., IEEE TAC: train on P % of the source, add N synthetic samples, test on the
target). A unit is one (cell, fold): it trains on the fold's training groups and stores the test predictions, so every
summary (pooled UAR per corpus, per pair) is computed afterwards from stored predictions. Units are resumable
(:class:`~serzoo.experiments.resume.UnitStore`) and spread over ``--jobs`` worker processes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from serzoo.metrics import classification_summary


@dataclasses.dataclass(frozen=True)
class Cell:
    """One classifier run over the folds of ``spec`` (a dataset spec of :func:`serzoo.data.load_corpus`)."""

    spec: str
    fold_scheme: str
    normalisation: str
    classifier: str
    seed: int
    fraction: float = 1.0  # of each training speaker's utterances (chosen with the seed)
    method: str = "none"  # augmentation method of serzoo.augmenters (none: real data only)
    n_synthetic: int = 0  # synthetic rows added to the training set (with the training subset's label distribution)

    def __post_init__(self):
        if not 0 < self.fraction <= 1:
            raise ValueError(f"fractions must lie in (0, 1], got {self.fraction}")
        if (self.method == "none") != (self.n_synthetic == 0):
            raise ValueError(f"method {self.method!r} with n_synthetic={self.n_synthetic}: give both or neither")

    @property
    def key(self) -> str:
        extra = "" if self.fraction == 1 else f"|p{self.fraction:g}"
        extra += "" if self.method == "none" else f"|{self.method}{self.n_synthetic}"
        return f"{self.spec}|{self.fold_scheme}|{self.normalisation}|{self.classifier}|seed{self.seed}{extra}"


def subsample_speakers(speakers: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of a random ``fraction`` of every speaker's rows (at least one each)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fractions must lie in (0, 1], got {fraction}")
    picked = [
        rng.choice(rows, max(1, round(fraction * rows.size)), replace=False)
        for rows in (np.flatnonzero(speakers == s) for s in np.unique(speakers))
    ]
    return np.sort(np.concatenate(picked))


class GridContext:
    """What the units of a grid share in one process: the loaded datasets and one fold's data per setting."""

    def __init__(self, data_dir=None, manual_dir=None, classifier_options=None, training=None):
        self.data_dir, self.manual_dir = data_dir, manual_dir
        self.classifier_options = classifier_options or {}
        self.training = training or {}
        self.corpora, self.folds = {}, {}

    def corpus(self, spec: str):
        from serzoo.data import load_corpus

        if spec not in self.corpora:
            self.corpora[spec] = load_corpus(spec, data_dir=self.data_dir, manual_dir=self.manual_dir)
        return self.corpora[spec]

    def fold(self, spec: str, fold_scheme: str, normalisation: str, name: str):
        from serzoo.folds import FoldCache

        key = (spec, fold_scheme, normalisation)
        if key not in self.folds:
            self.folds[key] = FoldCache(self.corpus(spec), normalisation, fold_scheme)
        return self.folds[key](name)


def _compute_unit(context: GridContext, cell: Cell, fold: str) -> dict:
    from serzoo.augmenters import make_augmenter
    from serzoo.models.classifiers import make_classifier

    start = time.perf_counter()
    data = context.fold(cell.spec, cell.fold_scheme, cell.normalisation, fold)
    n_classes = context.corpus(cell.spec).n_classes
    x, y = data.x_train, data.y_train
    rng = np.random.default_rng([cell.seed, round(1000 * cell.fraction)])
    if cell.fraction < 1:
        rows = subsample_speakers(data.train.speaker, cell.fraction, rng)
        x, y = x[rows], y[rows]
    n_real = int(y.size)
    if cell.n_synthetic:
        augmenter = make_augmenter(cell.method, seed=cell.seed, **context.training).fit(x, y, n_classes)
        labels = rng.choice(y, cell.n_synthetic)
        x, y = np.concatenate([x, augmenter.sample(labels, seed=cell.seed)]), np.concatenate([y, labels])
    options = context.classifier_options.get(cell.classifier, {})
    model = make_classifier(cell.classifier, seed=cell.seed, **options).fit(x, y, n_classes)
    return {
        "fold": fold,
        "y_true": data.y_test.tolist(),
        "y_pred": np.asarray(model.predict(data.x_test)).tolist(),
        "test_corpus": "+".join(sorted(set(data.test.corpus.tolist()))),
        "n_classes": n_classes,
        "n_real": n_real,
        "n_features": int(data.x_train.shape[1]),
        "seconds": time.perf_counter() - start,
    }


def run_cells(
    cells: Sequence[Cell],
    *,
    store=None,
    jobs: int = 1,
    data_dir=None,
    manual_dir=None,
    classifier_options: dict | None = None,
    training: dict | None = None,
    held_out: Sequence[str] | None = None,
    progress: bool = True,
    desc: str = "units (setting × fold)",
) -> dict[Cell, list[dict]]:
    """Every fold of every cell (only the folds named in ``held_out``, if given), computed or taken from
    ``store``; returns each cell's units in fold order. ``classifier_options`` = {classifier: field overrides};
    ``training`` = keyword arguments of :func:`serzoo.augmenters.make_augmenter` for the augmenters' training."""
    from tqdm.auto import tqdm

    from serzoo.experiments.workers import run_units
    from serzoo.folds import make_folds

    context = GridContext(data_dir, manual_dir, classifier_options, training)
    folds = {}
    for cell in cells:  # load every dataset here first (builds it once), so that workers only read
        key = (cell.spec, cell.fold_scheme)
        if key not in folds:
            folds[key] = [f.name for f in make_folds(context.corpus(cell.spec), cell.fold_scheme, held_out=held_out)]
    units = {(cell, fold): f"{cell.key}|{fold}" for cell in cells for fold in folds[cell.spec, cell.fold_scheme]}
    done = {key: store.get(key) for key in units.values()} if store else {}
    todo = [(key, unit) for unit, key in units.items() if done.get(key) is None]

    def finished(key, payload):
        done[key] = payload
        if store:
            store.add(key, payload)

    bar = tqdm(total=len(units), initial=len(units) - len(todo), desc=desc, unit="unit", disable=not progress)
    run_units(
        todo,
        _compute_unit,
        finished,
        jobs=jobs,
        setup=GridContext,
        setup_args=(data_dir, manual_dir, classifier_options, training),
        progress=bar,
    )
    bar.close()
    return {cell: [done[units[cell, fold]] for fold in folds[cell.spec, cell.fold_scheme]] for cell in cells}


def pooled(units: Sequence[dict]) -> dict:
    """UAR / WA / confusion of the predictions of ``units`` pooled (the usual leave-one-speaker-out figure), and
    the mean ± std of the per-unit UAR / WA."""
    n_classes = units[0]["n_classes"]
    y_true = np.concatenate([u["y_true"] for u in units]).astype(np.int64)
    y_pred = np.concatenate([u["y_pred"] for u in units]).astype(np.int64)
    per = [classification_summary(u["y_true"], u["y_pred"], n_classes) for u in units]
    uars, was = np.array([p["uar"] for p in per]), np.array([p["wa"] for p in per])
    return {
        **classification_summary(y_true, y_pred, n_classes),
        "fold_uar": float(uars.mean()),
        "fold_uar_std": float(uars.std()),
        "fold_wa": float(was.mean()),
        "fold_wa_std": float(was.std()),
        "folds": len(units),
    }


def over_seeds(values: Sequence[float]) -> dict:
    """``{"mean", "std", "values"}`` of one figure over seeds (population std; 0 for one seed)."""
    array = np.asarray(values, np.float64)
    return {"mean": float(array.mean()), "std": float(array.std()), "values": [float(v) for v in array]}


def percent(stat: dict) -> str:
    """``78.14 ± 0.45`` (percent) for an :func:`over_seeds` of fractions; no spread for one value."""
    if len(stat["values"]) == 1:
        return f"{100 * stat['mean']:.2f}"
    return f"{100 * stat['mean']:.2f} ± {100 * stat['std']:.2f}"
