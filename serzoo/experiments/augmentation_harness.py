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

from serzoo.augmenters import augmented_sets, make_augmenter, tuned_augmenter
from serzoo.data import Corpus, FoldCache
from serzoo.metrics import classification_summary, mmd_rbf, unweighted_average_recall
from serzoo.models.classifiers import make_classifier
from serzoo.recipes import augmented_training_set
from serzoo.schedules import schedule_keyword

NO_AUGMENTATION = "none"


def scheme_trainings(methods, schedule: str, *, epochs=None, learning_rate=None, batch_size=None) -> dict:
    """The :class:`~serzoo.schedules.Training` of every adversarial method in ``methods`` (baselines have none)."""
    from serzoo.models import scheme_names
    from serzoo.schedules import training_for

    return {
        m: training_for(m, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
        for m in methods
        if m in scheme_names()
    }


def unit_suffix(method: str, training, setting=None) -> str:
    """What a unit key adds for a trained method: ``@epochs``, ``+tag`` when not Adam 1e-4 / batch 128,
    ``+r<revision>`` from the scheme's second revision on (units of another revision are not reused), and
    ``+h<key>`` for a tuned setting (:class:`serzoo.hparams.TunedSetting`, whose ``scheme`` is the method)."""
    if setting is not None:
        return unit_suffix(setting.scheme, setting.training()) + f"+h{setting.key}"
    if training is None:
        return ""
    from serzoo.models import get_scheme

    revision = get_scheme(method).revision
    return (
        f"@{training.epochs}" + (f"+{training.tag}" if training.tag else "") + (f"+r{revision}" if revision > 1 else "")
    )


@schedule_keyword
def run_augmentation(
    corpus: Corpus,
    methods,
    *,
    ks=(0, 10),
    headline_k: int = 10,
    classifiers=("svm", "dnn"),
    seeds=(0,),
    schedule: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    max_folds: int | None = None,
    held_out=None,
    normalisation: str = "global",
    synthetic_only: bool = True,
    keep_examples: bool = True,
    progress: bool = True,
    store=None,
    stored_only: bool = False,
    jobs: int = 1,
    settings=None,
    classifier_options=None,
    recipe=None,
) -> dict:
    """Run the protocol; returns a JSON-ready dict (see :func:`summarise`).

    Args:
        corpus: a loaded corpus (``serzoo.data.load_corpus``).
        methods: augmentation methods (:func:`serzoo.augmenters.augmentation_methods`).
        ks: numbers of synthetic sets to evaluate (0 = real data only, computed once per fold).
        headline_k: the k of the headline table (must be in ``ks``), fixed before running.
        classifiers: ``svm`` and/or ``dnn``.
        seeds: repetitions; each seeds the generators, sampling and classifiers.
        schedule: training settings of every adversarial method (:mod:`serzoo.schedules`: ``paper``/``serzoo``).
        epochs, learning_rate, batch_size: override the schedule for every adversarial method.
        max_folds: only the first folds (for quick runs).
        held_out: only the folds holding out these groups (e.g. two processes sharing one ``store``,
            each running half of the folds).
        keep_examples: keep fold 0's loss curves and a real/synthetic sample for the figures.
        store: a :class:`serzoo.experiments.resume.UnitStore`; finished (seed, fold, method,
            epochs) units are written there and reused, so an interrupted run resumes without
            redoing them and a method can be added to a finished run.
        stored_only: compute nothing; summarise the folds whose units are all in ``store`` (a
            progress report of a run still going on elsewhere).
        jobs: worker processes computing units in parallel (:mod:`serzoo.experiments.workers`; 1 = in this
            process).
        settings: {method label: :class:`serzoo.hparams.TunedSetting`} for labels in ``methods`` that are not
            method names, e.g. ``{"wadan_tuned": load_tuned_setting("best_hparams.json")}``.
        classifier_options: {classifier name: field overrides} for every classifier of the run (e.g. a tuned
            DNN); they are part of the run's settings, so a ``store`` of other options is refused.
        recipe: how synthetic samples of every method enter the classifiers' training sets
            (:class:`serzoo.recipes.Recipe` or its dict; default: k sets at weight 1, as the papers); a setting
            with its own recipe (a tuned one) uses that instead.
    """
    from tqdm.auto import tqdm

    from serzoo.data import leave_one_group_out
    from serzoo.experiments.workers import run_units

    if headline_k not in ks:
        raise ValueError(f"headline_k={headline_k} must be one of ks={list(ks)}")
    from serzoo.recipes import as_recipe

    settings, classifier_options, recipe = dict(settings or {}), dict(classifier_options or {}), as_recipe(recipe)
    trainings = scheme_trainings(methods, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
    trainings.update({label: setting.training() for label, setting in settings.items()})
    ks = sorted(set(ks))
    folds = [f.name for f in leave_one_group_out(list(corpus.splits), max_folds, held_out)]
    recipes = {m: settings[m].recipe_object() if m in settings and settings[m].recipe else recipe for m in methods}
    keys = {
        (seed, fold, method): f"seed{seed}/{fold}/{method}"
        f"{unit_suffix(method, trainings.get(method), settings.get(method))}"
        f"{'+' + recipes[method].tag if method in recipes and recipes[method].tag else ''}"
        for seed in seeds
        for fold in folds
        for method in (NO_AUGMENTATION, *methods)
    }
    computed, examples, missing = {}, {}, []
    if stored_only:
        complete = {
            fold
            for fold in folds
            if all(store.get(keys[s, fold, m]) for s in seeds for m in (NO_AUGMENTATION, *methods))
        }
        missing = [key for key in keys.values() if not store.get(key)]
        keys = {cell: key for cell, key in keys.items() if cell[1] in complete}
    else:
        wanted_examples = set(methods) - (store.example_methods() if store else set()) if keep_examples else set()
        todo, method_of = [], {}
        for (seed, fold, method), key in keys.items():
            if store and store.get(key) is not None:
                continue
            keep = seed == seeds[0] and method in wanted_examples  # the first unit of a method keeps its example
            wanted_examples -= {method} if keep else set()
            todo.append((key, (seed, fold, method, keep)))
            method_of[key] = method

        def finished(key, outcome):
            unit, example = outcome
            computed[key] = unit
            if store:
                store.add(key, unit)
            if example:
                examples[method_of[key]] = example
                if store:
                    store.save_example(method_of[key], example)

        bar = tqdm(
            total=len(keys),
            initial=len(keys) - len(todo),
            desc="units (seed × fold × method)",
            unit="unit",
            disable=not progress,
        )
        run_units(
            todo,
            _compute_unit,
            finished,
            jobs=jobs,
            setup=UnitContext,
            progress=bar,
            setup_args=(
                corpus,
                normalisation,
                ks,
                classifiers,
                synthetic_only,
                schedule,
                epochs,
                learning_rate,
                settings,
                classifier_options,
                recipe,
                batch_size,
            ),
        )
        bar.close()
    records, mmd, timings, diagnostics = [], [], [], []
    for key in keys.values():
        unit = computed.get(key) or store.get(key)
        records.extend(unit["records"])
        mmd.extend(unit["mmd"])
        timings.extend(unit["timings"])
        diagnostics.extend(unit.get("recipe", []))
    result = summarise(records, corpus.n_classes, headline_k)
    result.update(
        dataset=f"{corpus.name}/{corpus.feature_set}",
        methods=list(methods),
        ks=ks,
        seeds=list(seeds),
        classifiers=list(classifiers),
        schedule=schedule,
        epochs={m: t.epochs for m, t in trainings.items()},
        training={m: t.describe() for m, t in trainings.items()},
        normalisation=normalisation,
        settings={label: setting.to_dict() for label, setting in settings.items()},
        recipe=recipe.to_dict(),
        recipe_diagnostics=diagnostics,
        classifier_options=classifier_options,
        folds=list(dict.fromkeys(r["fold"] for r in records)),
        class_names=corpus.class_names,
        mmd=_mean_by(mmd, "method", "mmd"),
        timings=timings,
        records=records,
        missing_units=missing,
    )
    result["examples"] = {**(store.load_examples() if store else {}), **examples}
    return result


class UnitContext:
    """What every unit of one run shares (built once per worker process): the corpus, the settings, and the
    normalised data of the fold in use."""

    def __init__(
        self,
        corpus,
        normalisation,
        ks,
        classifiers,
        synthetic_only,
        schedule,
        epochs,
        learning_rate,
        settings=None,
        classifier_options=None,
        recipe=None,
        batch_size=None,
    ):
        self.corpus, self.ks, self.synthetic_only = corpus, ks, synthetic_only
        self.classifiers = {name: (classifier_options or {}).get(name, {}) for name in classifiers}
        self.training = {
            "schedule": schedule,
            "epochs": epochs,
            "learning_rate": learning_rate,
            "batch_size": batch_size,
        }
        self.settings, self.recipe = settings or {}, recipe
        self.fold = FoldCache(corpus, normalisation)

    def augmenter(self, method: str, seed: int):
        if method == NO_AUGMENTATION:
            return None
        if method in self.settings:
            return tuned_augmenter(self.settings[method], seed=seed)
        return make_augmenter(method, seed=seed, **self.training)


def _compute_unit(context: UnitContext, seed: int, fold: str, method: str, keep_example: bool):
    setting = context.settings.get(method)
    recipe = setting.recipe_object() if setting is not None and setting.recipe else context.recipe
    return _run_unit(
        context.fold(fold),
        method,
        context.augmenter(method, seed),
        seed,
        context.ks,
        context.classifiers,
        context.corpus.n_classes,
        context.synthetic_only,
        keep_example,
        recipe,
    )


def _run_unit(data, method, augmenter, seed, ks, classifiers, n_classes, synthetic_only, keep_example, recipe=None):
    """One (seed, fold, method) cell: fit the augmenter, sample, train and test every classifier
    (``classifiers`` = {name: field overrides}). A non-default ``recipe`` builds each k's training set with
    :func:`serzoo.recipes.augmented_training_set`; its diagnostics are kept in the unit."""
    fold = data.fold.name
    unit = {"records": [], "mmd": [], "timings": []}

    def evaluate(k, x_train, y_train, only_synthetic=False, fit_kwargs=None):
        for name in classifiers:
            start = time.perf_counter()
            options = {
                **(recipe.classifier_options(name) if recipe and not only_synthetic else {}),
                **classifiers[name],
            }
            model = make_classifier(name, seed=seed, **options).fit(x_train, y_train, n_classes, **(fit_kwargs or {}))
            unit["records"].append(
                {
                    "seed": seed,
                    "fold": fold,
                    "method": method,
                    "k": k,
                    "classifier": name,
                    "synthetic_only": only_synthetic,
                    "y_true": data.y_test.tolist(),
                    "y_pred": np.asarray(model.predict(data.x_test)).tolist(),
                    "seconds": time.perf_counter() - start,
                }
            )

    if method == NO_AUGMENTATION:
        if 0 in ks:
            evaluate(0, data.x_train, data.y_train)
        return unit, None
    start = time.perf_counter()
    augmenter.fit(data.x_train, data.y_train, n_classes)
    fitted = time.perf_counter() - start
    x_syn, y_syn = augmented_sets(augmenter, data.y_train, max(ks), seed=seed + 1000)
    unit["timings"].append(
        {
            "seed": seed,
            "fold": fold,
            "method": method,
            "fit_seconds": fitted,
            "sample_seconds": time.perf_counter() - start - fitted,
        }
    )
    n = data.y_train.size
    unit["mmd"].append({"seed": seed, "fold": fold, "method": method, "mmd": mmd_rbf(data.x_train, x_syn[:n])})
    for k in (k for k in ks if k > 0):
        if recipe is not None and recipe.tag:
            built = augmented_training_set(
                data.x_train,
                data.y_train,
                augmenter,
                k=k,
                seed=seed + 1000,
                recipe=recipe,
                n_classes=n_classes,
                groups=data.train.speaker,
            )
            unit.setdefault("recipe", []).append(
                {"seed": seed, "fold": fold, "method": method, "k": k, **json_ready(built.diagnostics)}
            )
            evaluate(k, built.x, built.y, fit_kwargs=built.fit_kwargs())
        else:
            evaluate(k, np.concatenate([data.x_train, x_syn[: k * n]]), np.concatenate([data.y_train, y_syn[: k * n]]))
    if synthetic_only:
        evaluate(max(ks), x_syn, y_syn, only_synthetic=True)
    example = None
    if keep_example:
        example = {
            "fold": fold,
            "history": getattr(augmenter, "history_", {}),
            "real": data.x_train,
            "real_labels": data.y_train,
            "synthetic": x_syn[:n],
            "synthetic_labels": y_syn[:n],
        }
    return unit, example


def json_ready(value):
    """Diagnostics with numpy scalars and arrays as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_ready(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


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
            r["fold"], []
        ).append(uar)
    table = []
    for (method, clf, k, synthetic_only), rows in sorted(per_seed.items()):
        uars, was = np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
        folds = per_fold[(method, clf, k, synthetic_only)]
        table.append(
            {
                "method": method,
                "classifier": clf,
                "k": k,
                "synthetic_only": synthetic_only,
                "n_seeds": len(rows),
                "uar": float(uars.mean()),
                "uar_std": float(uars.std()),
                "wa": float(was.mean()),
                "wa_std": float(was.std()),
                "per_seed": [{"seed": r[0], "uar": r[1], "wa": r[2]} for r in rows],
                "fold_uar": {fold: float(np.mean(v)) for fold, v in folds.items()},
            }
        )
    return {"table": table, "headline_k": headline_k}
