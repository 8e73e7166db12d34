"""Augmentation harness: per leave-one-group-out fold, fit each augmentation method on the training
speakers only, add k synthetic sets, train the classifiers on real + synthetic, test on the
held-out speaker. Also "synthetic only" (the largest k, no real data) and the MMD between real
training data and one synthetic set.

Headline numbers use a k fixed in advance (``headline_k``); the sweep over ``ks`` is reported
separately, never used to pick the headline.

Reference: Yi & Mak, journal Sec. IV-V (Table I, Figs. 3-8).
"""

from __future__ import annotations

import time

import numpy as np

from serzoo.augmenters import augmented_sets, make_augmenter
from serzoo.data import Corpus, iter_folds
from serzoo.metrics import classification_summary, mmd_rbf, unweighted_average_recall
from serzoo.models.classifiers import make_classifier

NO_AUGMENTATION = "none"


def scheme_trainings(methods, preset: str, *, epochs=None, learning_rate=None) -> dict:
    """The :class:`~serzoo.presets.Training` of every adversarial method in ``methods`` (baselines have none)."""
    from serzoo.models import scheme_names
    from serzoo.presets import training_for

    return {m: training_for(m, preset, epochs=epochs, learning_rate=learning_rate)
            for m in methods if m in scheme_names()}


def unit_suffix(training) -> str:
    """What a unit key adds for a trained method: ``@epochs``, and ``+tag`` when not Adam 1e-4 / batch 128."""
    if training is None:
        return ""
    return f"@{training.epochs}" + (f"+{training.tag}" if training.tag else "")


def run_augmentation(
    corpus: Corpus,
    methods,
    *,
    ks=(0, 10),
    headline_k: int = 10,
    classifiers=("svm", "dnn"),
    seeds=(0,),
    preset: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    max_folds: int | None = None,
    held_out=None,
    normalisation: str = "global",
    synthetic_only: bool = True,
    keep_examples: bool = True,
    progress: bool = True,
    store=None,
    stored_only: bool = False,
) -> dict:
    """Run the protocol; returns a JSON-ready dict (see :func:`summarise`).

    Args:
        corpus: a loaded corpus (``serzoo.data.load_corpus``).
        methods: augmentation methods (:func:`serzoo.augmenters.augmentation_methods`).
        ks: numbers of synthetic sets to evaluate (0 = real data only, computed once per fold).
        headline_k: the k of the headline table (must be in ``ks``), fixed before running.
        classifiers: ``svm`` and/or ``dnn``.
        seeds: repetitions; each seeds the generators, sampling and classifiers.
        preset: training settings of every adversarial method (:mod:`serzoo.presets`: ``paper``/``serzoo``).
        epochs, learning_rate: override the preset for every adversarial method.
        max_folds: only the first folds (for quick runs).
        held_out: only the folds holding out these groups (e.g. two processes sharing one ``store``,
            each running half of the folds).
        keep_examples: keep fold 0's loss curves and a real/synthetic sample for the figures.
        store: a :class:`serzoo.experiments.resume.UnitStore`; finished (seed, fold, method,
            epochs) units are written there and reused, so an interrupted run resumes without
            redoing them and a method can be added to a finished run.
        stored_only: compute nothing; summarise the folds whose units are all in ``store`` (a
            progress report of a run still going on elsewhere).
    """
    from tqdm.auto import tqdm

    if headline_k not in ks:
        raise ValueError(f"headline_k={headline_k} must be one of ks={list(ks)}")
    trainings = scheme_trainings(methods, preset, epochs=epochs, learning_rate=learning_rate)
    ks = sorted(set(ks))
    records, mmd, timings, examples = [], [], [], {}
    stored_examples = store.example_methods() if store else set()
    n_folds = len(held_out) if held_out else max_folds or len(corpus.splits)
    bar = tqdm(total=len(seeds) * n_folds * (len(methods) + 1), desc="folds × methods",
               disable=not progress)
    for seed in seeds:
        for data in iter_folds(corpus, normalisation=normalisation, max_folds=max_folds, held_out=held_out,
                               progress=False):
            keys = {method: f"seed{seed}/{data.fold.name}/{method}{unit_suffix(trainings.get(method))}"
                    for method in (NO_AUGMENTATION, *methods)}
            if stored_only and not all(store.get(key) for key in keys.values()):
                bar.update(len(keys))
                continue
            for method, key in keys.items():
                bar.set_postfix_str(key)
                unit = store.get(key) if store else None
                if unit is None:
                    keep = (keep_examples and seed == seeds[0] and method != NO_AUGMENTATION
                            and method not in examples and method not in stored_examples)
                    augmenter = None if method == NO_AUGMENTATION else make_augmenter(
                        method, seed=seed, preset=preset, epochs=epochs, learning_rate=learning_rate)
                    unit, example = _run_unit(data, method, augmenter, seed, ks, classifiers, corpus.n_classes,
                                              synthetic_only, keep)
                    if store:
                        store.add(key, unit)
                    if example:
                        examples[method] = example
                        if store:
                            store.save_example(method, example)
                records.extend(unit["records"])
                mmd.extend(unit["mmd"])
                timings.extend(unit["timings"])
                bar.update(1)
    bar.close()
    result = summarise(records, corpus.n_classes, headline_k)
    result.update(
        dataset=f"{corpus.name}/{corpus.feature_set}", methods=list(methods), ks=ks, seeds=list(seeds),
        classifiers=list(classifiers), preset=preset, epochs={m: t.epochs for m, t in trainings.items()},
        training={m: t.describe() for m, t in trainings.items()}, normalisation=normalisation,
        folds=list(dict.fromkeys(r["fold"] for r in records)),
        class_names=corpus.class_names, mmd=_mean_by(mmd, "method", "mmd"), timings=timings,
        records=records,
    )
    result["examples"] = {**(store.load_examples() if store else {}), **examples}
    return result


def _run_unit(data, method, augmenter, seed, ks, classifiers, n_classes, synthetic_only, keep_example):
    """One (seed, fold, method) cell: fit the augmenter, sample, train and test every classifier."""
    fold = data.fold.name
    unit = {"records": [], "mmd": [], "timings": []}

    def evaluate(k, x_train, y_train, only_synthetic=False):
        for name in classifiers:
            start = time.perf_counter()
            model = make_classifier(name, seed=seed).fit(x_train, y_train, n_classes)
            unit["records"].append({
                "seed": seed, "fold": fold, "method": method, "k": k, "classifier": name,
                "synthetic_only": only_synthetic, "y_true": data.y_test.tolist(),
                "y_pred": np.asarray(model.predict(data.x_test)).tolist(),
                "seconds": time.perf_counter() - start,
            })

    if method == NO_AUGMENTATION:
        if 0 in ks:
            evaluate(0, data.x_train, data.y_train)
        return unit, None
    start = time.perf_counter()
    augmenter.fit(data.x_train, data.y_train, n_classes)
    fitted = time.perf_counter() - start
    x_syn, y_syn = augmented_sets(augmenter, data.y_train, max(ks), seed=seed + 1000)
    unit["timings"].append({"seed": seed, "fold": fold, "method": method, "fit_seconds": fitted,
                            "sample_seconds": time.perf_counter() - start - fitted})
    n = data.y_train.size
    unit["mmd"].append({"seed": seed, "fold": fold, "method": method, "mmd": mmd_rbf(data.x_train, x_syn[:n])})
    for k in (k for k in ks if k > 0):
        evaluate(k, np.concatenate([data.x_train, x_syn[: k * n]]), np.concatenate([data.y_train, y_syn[: k * n]]))
    if synthetic_only:
        evaluate(max(ks), x_syn, y_syn, only_synthetic=True)
    example = None
    if keep_example:
        example = {"fold": fold, "history": getattr(augmenter, "history_", {}), "real": data.x_train,
                   "real_labels": data.y_train, "synthetic": x_syn[:n], "synthetic_labels": y_syn[:n]}
    return unit, example


def _mean_by(rows, key, value):
    groups = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row[value])
    return {k: {"mean": float(np.mean(v)), "std": float(np.std(v))} for k, v in groups.items()}


def summarise(records, n_classes: int, headline_k: int) -> dict:
    """Pooled UAR / WA per (method, classifier, k, seed), then mean ± std over seeds."""
    cells = {}
    for r in records:
        key = (r["method"], r["classifier"], r["k"], r["synthetic_only"], r["seed"])
        cell = cells.setdefault(key, ([], []))
        cell[0].extend(r["y_true"])
        cell[1].extend(r["y_pred"])
    per_seed, per_fold = {}, {}
    for (method, clf, k, synthetic_only, seed), (y_true, y_pred) in cells.items():
        s = classification_summary(np.array(y_true), np.array(y_pred), n_classes)
        per_seed.setdefault((method, clf, k, synthetic_only), []).append((seed, s["uar"], s["wa"]))
    for r in records:  # each fold's UAR, averaged over seeds
        uar = unweighted_average_recall(r["y_true"], r["y_pred"], n_classes)
        per_fold.setdefault((r["method"], r["classifier"], r["k"], r["synthetic_only"]), {}).setdefault(
            r["fold"], []).append(uar)
    table = []
    for (method, clf, k, synthetic_only), rows in sorted(per_seed.items()):
        uars, was = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
        folds = per_fold[(method, clf, k, synthetic_only)]
        table.append({"method": method, "classifier": clf, "k": k, "synthetic_only": synthetic_only,
                      "n_seeds": len(rows),
                      "uar": float(uars.mean()), "uar_std": float(uars.std()),
                      "wa": float(was.mean()), "wa_std": float(was.std()),
                      "per_seed": [{"seed": r[0], "uar": r[1], "wa": r[2]} for r in rows],
                      "fold_uar": {fold: float(np.mean(v)) for fold, v in folds.items()}})
    return {"table": table, "headline_k": headline_k}
