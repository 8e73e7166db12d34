"""Where adversarial models pay: scarce labels and unseen corpora with unlabelled target speech, each method measured
against its supervised twin at equal optimizer updates.

Regimes (:data:`REGIMES`):

- ``scarce-labels``: leave one speaker out within one corpus; a ``fraction`` of each class's training labels is kept
  (:func:`serzoo.models.semi_aae.hide_labels`, drawn with the seed) and the rest of the training speech is
  unlabelled.
- ``unseen-corpus`` (transductive): on a multi-corpus dataset, train on the labelled source corpus (every ordered pair)
  or corpora (leave-one-corpus-out) plus the target corpus's speech without labels (all of it, the classes a class
  set leaves out included), test on the target's labels.
- ``pooled``: leave one speaker out over a multi-corpus dataset; the classifier trains on the held-out speaker's own
  corpus (its other speakers), as in that corpus's leave-one-speaker-out, and a generator fitted on every training
  speaker of every corpus (``*_pooled``) or on the corpus's own (``*_own``) adds synthetic sets: whether more
  speakers teach a generator the variety that 10 cannot.

Methods (:data:`METHODS`), each compared with its supervised twin (``twin``) on the same folds and seeds:

- ``dnn``: Yi & Mak's DNN on the labelled rows (the supervised baseline; its own twin); ``svm`` likewise.
- ``smote``, ``noise``: the DNN on the labelled rows plus ``k`` synthetic sets with constant updates (as many Adam
  updates as the DNN on the labelled rows alone, :class:`~serzoo.models.classifiers.DnnClassifier`); twin ``dnn``.
- ``semi_aae``: the optimised semi-supervised AAE (ICASSP 2019) on labelled and unlabelled rows for a fixed number of
  epochs; twin ``semi_aae_base``, the encoder's network trained by the supervised phase alone on the same batches
  (the same classifier updates; the paper's baseline).
- ``dann``: the domain-adversarial network (:mod:`serzoo.models.domain_adversarial`; source labelled, target
  unlabelled); twin ``dann_twin``, the same network and updates with the adversarial weight 0.

Every setting is fixed before the run (the papers' or serzoo's defaults); nothing is chosen on a test speaker or a
target corpus. A unit is one (regime fold, method, fraction, seed) and keeps its test predictions.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence

import numpy as np

from serzoo.experiments.classifier_grid import over_seeds, percent, pooled

REGIMES = {
    "scarce-labels": "leave-one-group-out",
    "unseen-corpus": ("corpus-pairs", "leave-one-corpus-out"),
    "pooled": "leave-one-group-out",
}
#: Synthetic sets of the augmentation baselines (Yi & Mak's recipe used k = 10; fixed, not searched).
SYNTHETIC_SETS = 5


@dataclasses.dataclass(frozen=True)
class Method:
    """A method of the regimes: what it trains on, and its supervised twin."""

    name: str
    twin: str
    uses_unlabelled: bool
    summary: str


METHODS = {
    m.name: m
    for m in (
        Method("dnn", "dnn", False, "Yi & Mak's DNN on the labelled rows"),
        Method("svm", "svm", False, "linear SVM on the labelled rows"),
        Method("smote", "dnn", False, f"DNN on labelled rows + {SYNTHETIC_SETS} SMOTE sets, constant updates"),
        Method("noise", "dnn", False, f"DNN on labelled rows + {SYNTHETIC_SETS} noisy copies, constant updates"),
        Method("semi_aae_base", "semi_aae_base", True, "the semi-supervised AAE's encoder, supervised phase only"),
        Method("semi_aae", "semi_aae_base", True, "semi-supervised AAE (optimised), unlabelled rows in phases 1-2"),
        Method("dann_twin", "dann_twin", True, "the domain-adversarial network with adversarial weight 0"),
        Method("dann", "dann_twin", True, "domain-adversarial network (gradient reversal), target speech unlabelled"),
        Method(
            "wadan_own", "dnn", False, f"DNN + {SYNTHETIC_SETS} WADAN sets (fitted on the corpus), constant updates"
        ),
        Method(
            "wadan_pooled", "dnn", False, f"DNN + {SYNTHETIC_SETS} WADAN sets (fitted on all corpora), constant updates"
        ),
        Method(
            "smote_pooled", "dnn", False, f"DNN + {SYNTHETIC_SETS} SMOTE sets (all corpora's rows), constant updates"
        ),
    )
}


@dataclasses.dataclass
class Inputs:
    """What a method trains on in one unit (normalised features)."""

    x_labelled: np.ndarray
    y_labelled: np.ndarray
    x_unlabelled: np.ndarray
    x_test: np.ndarray
    n_classes: int
    domain_labelled: np.ndarray  # each labelled row's domain (corpus index; 0 within one corpus)
    domain_unlabelled: np.ndarray
    n_domains: int
    x_pool: np.ndarray | None = None  # pooled regime: every training row of every corpus (for *_pooled generators)
    y_pool: np.ndarray | None = None


def _augmented(inputs: Inputs, seed: int, method: str, options: dict) -> np.ndarray:
    """The DNN on the labelled rows plus synthetic sets of ``method`` (``<generator>[_own|_pooled]``), constant
    updates; a ``_pooled`` generator is fitted on ``x_pool``, any other on the labelled rows."""
    from serzoo.augmenters import make_augmenter
    from serzoo.models.classifiers import make_classifier

    generator, _, source = method.partition("_")
    x, y = inputs.x_labelled, inputs.y_labelled
    x_fit, y_fit = (inputs.x_pool, inputs.y_pool) if source == "pooled" else (x, y)
    augmenter = make_augmenter(generator, seed=seed, **options.get(generator, {})).fit(x_fit, y_fit, inputs.n_classes)
    labels = np.tile(y, SYNTHETIC_SETS)
    x_syn = augmenter.sample(labels, seed=seed)
    synthetic = np.r_[np.zeros(len(y), bool), np.ones(len(labels), bool)]
    model = make_classifier("dnn", seed=seed, constant_updates=True, **options.get("dnn", {}))
    model.fit(np.concatenate([x, x_syn]), np.concatenate([y, labels]), inputs.n_classes, synthetic=synthetic)
    return model.predict(inputs.x_test)


def _semi_aae(inputs: Inputs, seed: int, method: str, options: dict) -> np.ndarray:
    import keras

    from serzoo.experiments.semi_aae import build_model
    from serzoo.models.semi_aae import UNLABELLED
    from serzoo.schedules import training_for

    keras.utils.set_random_seed(seed)
    x = np.concatenate([inputs.x_labelled, inputs.x_unlabelled]).astype(np.float32)
    y = np.r_[inputs.y_labelled, np.full(len(inputs.x_unlabelled), UNLABELLED)].astype(np.int32)
    training = training_for("semi_aae", "paper", epochs=options.get("epochs"))
    model = build_model(
        "aae" if method == "semi_aae" else "base",
        "utterance",
        x.shape[1],
        inputs.n_classes,
        seed=seed,
        epochs=training.epochs,
        batch_size=training.batch_size,
        learning_rate=training.learning_rate,
        options={k: v for k, v in options.items() if k != "epochs"},
    )
    model.fit(x, y, batch_size=training.batch_size, epochs=training.epochs, verbose=0, shuffle=True)
    return np.asarray(model.classify(inputs.x_test)).argmax(1)


def _dann(inputs: Inputs, seed: int, method: str, options: dict) -> np.ndarray:
    from serzoo.models.domain_adversarial import DannClassifier

    options = {**options, "adversarial_weight": 0.0} if method == "dann_twin" else options
    model = DannClassifier(seed=seed, **options)
    model.fit(
        inputs.x_labelled,
        inputs.y_labelled,
        inputs.n_classes,
        domains=inputs.domain_labelled,
        x_unlabelled=inputs.x_unlabelled,
        domains_unlabelled=inputs.domain_unlabelled,
    )
    return model.predict(inputs.x_test)


def fit_predict(method: str, inputs: Inputs, seed: int, options: dict | None = None) -> np.ndarray:
    """Train ``method`` on ``inputs`` and return its predictions of ``inputs.x_test``. ``options``: {method or
    classifier family: keyword arguments}, e.g. ``{"dnn": {"epochs": 2}, "semi_aae": {"epochs": 2, "width": 16}}``
    (``dnn`` options apply to the DNN of the augmentation methods too; ``semi_aae`` to both AAE methods, ``dann`` to
    both DANNs, a generator's name to its augmenter)."""
    from serzoo.models.classifiers import make_classifier

    options = options or {}
    if method in ("dnn", "svm"):
        model = make_classifier(method, seed=seed, **options.get(method, {}))
        return model.fit(inputs.x_labelled, inputs.y_labelled, inputs.n_classes).predict(inputs.x_test)
    if method in ("smote", "noise", "wadan_own", "wadan_pooled", "smote_pooled"):
        return _augmented(inputs, seed, method, options)
    if method in ("semi_aae", "semi_aae_base"):
        return _semi_aae(inputs, seed, method, options.get("semi_aae", {}))
    if method in ("dann", "dann_twin"):
        return _dann(inputs, seed, method, options.get("dann", {}))
    raise ValueError(f"unknown method {method!r}; choose from: {', '.join(METHODS)}")


def regime_inputs(regime: str, corpus, data, fraction: float, seed: int) -> Inputs:
    """A fold's :class:`Inputs` under ``regime`` (``data``: the fold's :class:`~serzoo.folds.FoldData`)."""
    from serzoo.models.semi_aae import hide_labels

    n_classes = corpus.n_classes
    corpora = list(corpus.corpus_splits())
    index = {name: i for i, name in enumerate(corpora)}
    if regime == "scarce-labels":
        shown = hide_labels(data.y_train, fraction, n_classes, seed=seed)
        labelled = shown >= 0
        left_out = [corpus.left_out[s] for s in data.fold.train_splits if s in corpus.left_out]
        extra = [data.normalise(part) for part in left_out]
        x_unlabelled = np.concatenate([data.x_train[~labelled], *extra])
        zeros = np.zeros
        return Inputs(
            data.x_train[labelled],
            data.y_train[labelled],
            x_unlabelled,
            data.x_test,
            n_classes,
            zeros(int(labelled.sum()), np.int32),
            zeros(len(x_unlabelled), np.int32),
            1,
        )
    if fraction != 1:
        raise ValueError(f"the {regime} regime uses every training label (fraction 1)")
    if regime == "pooled":
        own = data.train.corpus == data.test.corpus[0]
        zeros = np.zeros
        return Inputs(
            data.x_train[own],
            data.y_train[own],
            zeros((0, data.x_train.shape[1]), np.float32),
            data.x_test,
            n_classes,
            zeros(int(own.sum()), np.int32),
            zeros(0, np.int32),
            1,
            x_pool=data.x_train,
            y_pool=data.y_train,
        )
    left_out = [corpus.left_out[s] for s in data.fold.test_splits if s in corpus.left_out]
    target = [data.x_test] + [data.normalise(part) for part in left_out]
    target_corpora = [data.test.corpus] + [part.corpus for part in left_out]
    return Inputs(
        data.x_train,
        data.y_train,
        np.concatenate(target),
        data.x_test,
        n_classes,
        np.array([index[c] for c in data.train.corpus], np.int32),
        np.array([index[c] for c in np.concatenate(target_corpora)], np.int32),
        len(corpora),
    )


class RegimeContext:
    """What the units share in one process: the dataset and one fold's data at a time per fold scheme."""

    def __init__(self, spec: str, normalisation: str, data_dir=None, manual_dir=None, method_options=None):
        from serzoo.data import load_corpus

        self.corpus = load_corpus(spec, data_dir=data_dir, manual_dir=manual_dir)
        self.normalisation, self.caches = normalisation, {}
        self.method_options = method_options or {}

    def fold(self, fold_scheme: str, name: str):
        from serzoo.folds import FoldCache

        if fold_scheme not in self.caches:
            self.caches[fold_scheme] = FoldCache(self.corpus, self.normalisation, fold_scheme)
        return self.caches[fold_scheme](name)


def _compute_unit(context: RegimeContext, regime: str, fold_scheme: str, fold: str, method, fraction, seed) -> dict:
    start = time.perf_counter()
    data = context.fold(fold_scheme, fold)
    inputs = regime_inputs(regime, context.corpus, data, fraction, seed)
    y_pred = fit_predict(method, inputs, seed, context.method_options)
    return {
        "fold": fold,
        "fold_scheme": fold_scheme,
        "y_true": data.y_test.tolist(),
        "y_pred": np.asarray(y_pred).tolist(),
        "n_classes": inputs.n_classes,
        "n_labelled": len(inputs.y_labelled),
        "n_unlabelled": len(inputs.x_unlabelled),
        "test_corpus": "+".join(sorted(set(data.test.corpus.tolist()))),
        "seconds": time.perf_counter() - start,
    }


def unit_key(regime, fold_scheme, fold, method, fraction, seed) -> str:
    return f"{regime}|{fold_scheme}|{fold}|{method}|p{fraction:g}|seed{seed}"


def run_regime(
    regime: str,
    spec: str,
    *,
    methods: Sequence[str],
    fractions: Sequence[float] = (1.0,),
    seeds: Sequence[int] = (0, 1, 2),
    normalisation: str = "global",
    store=None,
    jobs: int = 1,
    data_dir=None,
    manual_dir=None,
    held_out: Sequence[str] | None = None,
    method_options: dict | None = None,
    progress: bool = True,
) -> dict:
    """Every (fold, method, fraction, seed) unit of ``regime`` on dataset ``spec``; twins are added to ``methods``.
    ``method_options``: see :func:`fit_predict` (part of a store's settings: pass the same ones to resume).
    Returns a JSON-ready dict with one row per (train, test, method, fraction) (:func:`summarise`)."""
    from tqdm.auto import tqdm

    from serzoo.experiments.workers import run_units
    from serzoo.folds import make_folds

    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; choose one of: {', '.join(REGIMES)}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from: {', '.join(METHODS)}")
    methods = list(dict.fromkeys(m for name in methods for m in (METHODS[name].twin, name)))
    schemes = REGIMES[regime]
    schemes = (schemes,) if isinstance(schemes, str) else schemes
    context = RegimeContext(spec, normalisation, data_dir, manual_dir, method_options)
    folds = [(s, f.name) for s in schemes for f in make_folds(context.corpus, s)]
    if held_out:
        unknown = sorted(set(held_out) - {name for _, name in folds})
        if unknown:
            raise ValueError(f"held_out names unknown folds {unknown}; the folds are {[name for _, name in folds]}")
        folds = [(s, name) for s, name in folds if name in held_out]
    cells = [(s, f, m, p, seed) for s, f in folds for m in methods for p in fractions for seed in seeds]
    keys = {cell: unit_key(regime, *cell) for cell in cells}
    done = {key: store.get(key) for key in keys.values()} if store else {}
    todo = [(key, (regime, *cell)) for cell, key in keys.items() if done.get(key) is None]

    def finished(key, payload):
        done[key] = payload
        if store:
            store.add(key, payload)

    bar = tqdm(
        total=len(keys), initial=len(keys) - len(todo), desc=f"{regime} units", unit="unit", disable=not progress
    )
    run_units(
        todo,
        _compute_unit,
        finished,
        jobs=jobs,
        setup=RegimeContext,
        setup_args=(spec, normalisation, data_dir, manual_dir, method_options),
        progress=bar,
    )
    bar.close()
    units = {cell: done[key] for cell, key in keys.items()}
    return {
        "regime": regime,
        "dataset": spec,
        "normalisation": normalisation,
        "methods": methods,
        "fractions": list(fractions),
        "seeds": list(seeds),
        "method_options": method_options or {},
        "rows": summarise(regime, units),
    }


def _pair(regime: str, unit: dict) -> tuple[str, str]:
    """(training corpus, test corpus) of a unit: the corpus itself within a corpus."""
    test = unit["test_corpus"]
    if regime in ("scarce-labels", "pooled"):
        return test, test
    if unit["fold_scheme"] == "corpus-pairs":
        return unit["fold"].split("->")[0], test
    return "others", test


def summarise(regime: str, units: dict) -> list[dict]:
    """One row per (train, test, method, fraction): UAR / WA of the predictions pooled over the test corpus (its
    folds), mean ± std over seeds, and the gain over the method's twin paired by seed."""
    groups: dict[tuple, dict[int, list]] = {}
    for (_, _, method, fraction, seed), unit in units.items():
        train, test = _pair(regime, unit)
        groups.setdefault((train, test, method, fraction), {}).setdefault(seed, []).append(unit)
    summaries = {
        key: {seed: pooled(parts) for seed, parts in sorted(by_seed.items())} for key, by_seed in groups.items()
    }
    rows = []
    for (train, test, method, fraction), by_seed in summaries.items():
        twin = summaries.get((train, test, METHODS[method].twin, fraction), {})
        gains = [by_seed[s]["uar"] - twin[s]["uar"] for s in by_seed if s in twin]
        rows.append(
            {
                "train": train,
                "test": test,
                "method": method,
                "twin": METHODS[method].twin,
                "fraction": fraction,
                "seeds": list(by_seed),
                "uar": over_seeds([s["uar"] for s in by_seed.values()]),
                "wa": over_seeds([s["wa"] for s in by_seed.values()]),
                "gain": over_seeds(gains) if gains and METHODS[method].twin != method else None,
            }
        )
    return rows


def regime_table(result: dict) -> str:
    """Markdown: one row per (train, test, fraction, method): UAR, WA and the gain over the twin."""
    lines = [
        "| train | test | labels | method | UAR % | WA % | gain over twin (UAR points) | twin |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(result["rows"], key=lambda r: (r["test"], r["train"], r["fraction"], r["method"])):
        gain = "–" if r["gain"] is None else f"{100 * r['gain']['mean']:+.2f} ± {100 * r['gain']['std']:.2f}"
        lines.append(
            f"| {r['train']} | {r['test']} | {100 * r['fraction']:g} % | {r['method']} | {percent(r['uar'])} "
            f"| {percent(r['wa'])} | {gain} | {r['twin']} |"
        )
    return "\n".join(lines)


def render_report(result: dict, output_dir) -> str:
    """Figures of the regime in ``output_dir``; returns the Markdown report."""
    import pathlib

    from serzoo import plots

    out = pathlib.Path(output_dir)
    parts = [
        f"# Regime {result['regime']}: {result['dataset']} ({result['normalisation']} normalisation)\n",
        "UAR / WA % of the predictions pooled over each test corpus, mean ± std over seeds "
        f"{result['seeds']}; gain: UAR difference to the method's supervised twin (same folds, seeds and "
        "optimizer updates), mean ± std over seeds. Methods:\n",
        *(f"- `{m}`: {METHODS[m].summary} (twin `{METHODS[m].twin}`)" for m in result["methods"]),
        "",
        regime_table(result),
        "",
    ]
    if result["regime"] == "scarce-labels":
        figure = plots.uar_vs_label_share_png(result["rows"], out / "uar_vs_labels.png")
    else:
        figure = plots.regime_gain_heatmap_png(result["rows"], out / "gains.png")
    parts.append(f"![{result['regime']}]({figure.name})\n")
    return "\n".join(parts)
