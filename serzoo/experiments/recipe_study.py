"""Recipe study with the swap-halves protocol: which recipe makes synthetic data help, chosen without the test speaker.

Per (seed, fold, method) unit the augmenter is fitted once on the training speakers and every cell of
:data:`RECIPE_GRID` that applies to the method (a :class:`~serzoo.recipes.Recipe` at a number of sets ``k``) builds
its own training set and trains the classifiers, so the ablation of every knob costs one generator fit per fold.

Swap halves (issue 17): the speakers are split into two halves (EmoDB: :data:`serzoo.data.SPEAKER_HALVES`). The
folds holding out a speaker of half B use the cell with the best mean UAR over the folds of half A (mean over
seeds, pooled over A's folds), and vice versa; then the predictions of all folds are pooled. No cell is chosen on
the speaker it is tested on. Those selection folds' training sets include the other half's speakers as training
data (never as test data). The same selection is made separately for the generator methods (the best
generator-based recipe) and for each baseline (e.g. SMOTE with its own best recipe), so the comparison is fair.

The grid is fixed before any run; the full ablation table over all folds is reported beside the swap-halves
result and is not used to choose it.
"""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np

from serzoo.augmenters import make_augmenter
from serzoo.data import FoldCache, leave_one_group_out
from serzoo.experiments.augmentation_harness import json_ready
from serzoo.metrics import paired_uar_gain, unweighted_average_recall, weighted_accuracy
from serzoo.models.classifiers import make_classifier
from serzoo.recipes import Recipe, augmented_training_set, supports_latent_interpolation

NO_AUGMENTATION = "none"

#: The recipe grid, fixed in advance: name → (Recipe fields, numbers of synthetic sets k). Every cell but ``paper``
#: keeps the DNN's number of updates constant (``constant_updates``), so that a gain is not more training.
RECIPE_GRID = {
    "paper": ({}, (1, 3, 10)),  # Yi & Mak: k sets at weight 1, the DNN trained over all rows
    "cu": ({"constant_updates": True}, (10,)),
    "w0.3": ({"constant_updates": True, "synthetic_weight": 0.3}, (10,)),
    "w0.1": ({"constant_updates": True, "synthetic_weight": 0.1}, (10,)),
    "cal": ({"constant_updates": True, "calibration": 1.0}, (10,)),
    "cal+w0.3": ({"constant_updates": True, "calibration": 1.0, "synthetic_weight": 0.3}, (1, 3, 10)),
    "tau0.5": ({"constant_updates": True, "curation_threshold": 0.5}, (10,)),
    "cal+tau0.5": ({"constant_updates": True, "calibration": 1.0, "curation_threshold": 0.5}, (10,)),
    "dr5": ({"constant_updates": True, "density_ratio_clip": 5.0}, (3,)),
    "lerp": ({"constant_updates": True, "latent_interpolation": True}, (10,)),
    "cal+spk1": ({"constant_updates": True, "calibration": 1.0, "speaker_variety": 1.0}, (10,)),
    "two-stage": ({"pretrain_epochs": 10}, (10,)),
}


def grid_cells(augmenter=None, grid=None) -> list[tuple[str, Recipe, int]]:
    """The (recipe name, recipe, k) cells of ``grid`` that apply to a fitted ``augmenter`` (latent interpolation
    needs a scheme with an encoder and a decoder; ``None`` = every cell)."""
    cells = []
    for name, (fields, ks) in (grid or RECIPE_GRID).items():
        recipe = Recipe.from_dict(fields)
        if recipe.latent_interpolation and augmenter is not None and not supports_latent_interpolation(augmenter):
            continue
        cells.extend((name, recipe, k) for k in ks)
    return cells


def select_grid(names) -> dict:
    """The recipes of :data:`RECIPE_GRID` named in ``names`` (all of them if empty), in the grid's order."""
    unknown = [n for n in names or () if n not in RECIPE_GRID]
    if unknown:
        raise ValueError(f"unknown recipe(s) {unknown}; choose from {', '.join(RECIPE_GRID)}")
    return {n: cell for n, cell in RECIPE_GRID.items() if not names or n in names}


def grid_key(grid=None) -> str:
    """A short fingerprint of the grid: units computed with another grid are not reused."""
    text = json.dumps([(n, r.to_dict(), k) for n, r, k in grid_cells(None, grid)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def classifier_key(options) -> str:
    """Unit-key suffix of a fold's classifier overrides ("" for the defaults)."""
    if not options:
        return ""
    return "+clf" + hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:8]


def fold_classifier_options(settings, folds, dataset: str, classifiers) -> dict:
    """{fold: {classifier: options}} from classifier searches (:class:`serzoo.hparams.ClassifierSetting`, e.g. one
    ``best_classifier.json`` per speaker half): each setting serves the folds of its evaluation groups only, so no
    fold uses a classifier tuned on its own speaker. Every fold must be served exactly once per classifier that has
    settings; a setting for another dataset or classifier of the study is refused."""
    chosen = {}
    for setting in settings:
        where = setting.source or "classifier setting"
        if setting.dataset != dataset:
            raise ValueError(f"{where}: tuned on {setting.dataset}, but this study runs on {dataset}")
        if setting.classifier not in classifiers:
            raise ValueError(f"{where}: a {setting.classifier} setting, but the study trains {list(classifiers)}")
        overlap = set(setting.development_groups) & set(setting.evaluation_groups)
        if overlap:
            raise ValueError(f"{where}: groups {sorted(overlap)} are both development and evaluation groups")
        for fold in setting.evaluation_groups:
            if fold not in folds:
                raise ValueError(f"{where}: evaluation group {fold!r} is not a fold of {dataset} ({folds})")
            if setting.classifier in chosen.get(fold, {}):
                raise ValueError(
                    f"{where}: fold {fold} already has a {setting.classifier} setting "
                    f"({chosen[fold][setting.classifier]['source']}): pass one file per speaker half"
                )
            chosen.setdefault(fold, {})[setting.classifier] = {"options": setting.options, "source": where}
    for name in {s.classifier for s in settings}:
        missing = [f for f in folds if name not in chosen.get(f, {})]
        if missing:
            raise ValueError(
                f"no {name} setting serves folds {missing}: pass a best_classifier.json searched on "
                "the other speaker half too"
            )
    return {fold: {name: c["options"] for name, c in by.items()} for fold, by in chosen.items()}


class StudyContext:
    """What every unit of a study shares in one process: the corpus, the fold in use, the training settings."""

    def __init__(self, corpus, normalisation, classifiers, training, grid, fold_classifiers=None):
        self.corpus, self.classifiers, self.training, self.grid = corpus, classifiers, training, grid
        self.fold_classifiers = fold_classifiers or {}  # {fold: {classifier: field overrides}}
        self.fold = FoldCache(corpus, normalisation)


def compute_unit(context: StudyContext, seed: int, fold: str, method: str, keep_example: bool):
    """One (seed, fold, method) unit: fit the augmenter once, then train and test the classifiers on every cell."""
    data = context.fold(fold)
    n_classes = context.corpus.n_classes
    unit = {"records": [], "diagnostics": [], "timings": []}

    def evaluate(cell, k, built):
        for name in context.classifiers:
            start = time.perf_counter()
            options = {
                **context.fold_classifiers.get(fold, {}).get(name, {}),
                **(cell[1].classifier_options(name) if built is not None else {}),
            }
            model = make_classifier(name, seed=seed, **options)
            if built is None:
                model.fit(data.x_train, data.y_train, n_classes)
            else:
                model.fit(built.x, built.y, n_classes, **built.fit_kwargs())
            unit["records"].append(
                {
                    "seed": seed,
                    "fold": fold,
                    "method": method,
                    "recipe": cell[0],
                    "k": k,
                    "classifier": name,
                    "y_true": data.y_test.tolist(),
                    "y_pred": np.asarray(model.predict(data.x_test)).tolist(),
                    "seconds": time.perf_counter() - start,
                }
            )

    if method == NO_AUGMENTATION:
        evaluate(("none", Recipe()), 0, None)
        return unit, None
    augmenter = make_augmenter(method, seed=seed, **context.training)
    start = time.perf_counter()
    augmenter.fit(data.x_train, data.y_train, n_classes)
    unit["timings"].append({"seed": seed, "fold": fold, "method": method, "fit_seconds": time.perf_counter() - start})
    example = {} if keep_example else None
    for name, recipe, k in grid_cells(augmenter, context.grid):
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
        unit["diagnostics"].append(
            {"seed": seed, "fold": fold, "method": method, "recipe": name, "k": k, **json_ready(built.diagnostics)}
        )
        evaluate((name, recipe), k, built)
        if example is not None and k == 10 and name in ("paper", "cal", "tau0.5", "cal+tau0.5"):
            synthetic = built.synthetic
            n = data.y_train.size
            example[name] = {
                "fold": fold,
                "real": data.x_train,
                "real_labels": data.y_train,
                "synthetic": built.x[synthetic][:n],
                "synthetic_labels": built.y[synthetic][:n],
            }
    return unit, example


def run_study(
    corpus,
    methods,
    *,
    seeds=(0,),
    classifiers=("dnn",),
    normalisation="global",
    training=None,
    store=None,
    jobs: int = 1,
    grid=None,
    progress: bool = True,
    stored_only: bool = False,
    fold_classifiers=None,
) -> dict:
    """Compute (or reuse from ``store``) every unit, seed-major so that whole seeds finish first.

    ``fold_classifiers`` = {fold: {classifier: field overrides}} trains each fold's classifiers (every cell, no
    augmentation included) with those fields, e.g. a DNN tuned without the fold's speaker
    (:func:`fold_classifier_options`).

    Returns ``{"records", "diagnostics", "timings", "examples", "missing_units"}``; with ``stored_only`` nothing is
    computed and the records of the stored units are returned.
    """
    from tqdm.auto import tqdm

    from serzoo.experiments.augmentation_harness import scheme_trainings, unit_suffix
    from serzoo.experiments.workers import run_units

    training = {"schedule": "serzoo", **(training or {})}
    grid = dict(grid or RECIPE_GRID)  # resolved here: worker processes get it as an argument
    trainings = scheme_trainings(methods, **training)
    folds = [f.name for f in leave_one_group_out(list(corpus.splits))]
    fold_classifiers = dict(fold_classifiers or {})
    keys = {}
    for seed in seeds:
        for fold in folds:
            clf = classifier_key(fold_classifiers.get(fold))
            for method in (NO_AUGMENTATION, *methods):
                suffix = (
                    ""
                    if method == NO_AUGMENTATION
                    else (unit_suffix(method, trainings.get(method)) + f"+grid{grid_key(grid)}")
                )
                keys[(seed, fold, method)] = f"seed{seed}/{fold}/{method}{suffix}{clf}"
    computed, examples = {}, {}
    todo = [
        (key, (seed, fold, method, seed == seeds[0] and fold == folds[0] and method in methods[:1]))
        for (seed, fold, method), key in keys.items()
        if not (store and store.get(key) is not None)
    ]
    if not stored_only and todo:

        def finished(key, outcome):
            unit, example = outcome
            computed[key] = unit
            if store:
                store.add(key, unit)
            for name, ex in (example or {}).items():
                examples[name] = ex
                if store:
                    store.save_example(name, ex)

        bar = tqdm(
            total=len(keys),
            initial=len(keys) - len(todo),
            desc="units (seed × fold × method)",
            unit="unit",
            disable=not progress,
        )
        run_units(
            todo,
            compute_unit,
            finished,
            jobs=jobs,
            setup=StudyContext,
            progress=bar,
            setup_args=(corpus, normalisation, list(classifiers), training, grid, fold_classifiers),
        )
        bar.close()
    result = {"records": [], "diagnostics": [], "timings": [], "missing_units": []}
    for key in keys.values():
        unit = computed.get(key) or (store.get(key) if store else None)
        if unit is None:
            result["missing_units"].append(key)
            continue
        for field in ("records", "diagnostics", "timings"):
            result[field].extend(unit[field])
    result["examples"] = {**(store.load_examples() if store else {}), **examples}
    result["folds"], result["seeds"] = folds, list(seeds)
    result["training"] = {m: t.describe() for m, t in trainings.items()}
    return result


# ----------------------------------------------------------------------------- analysis
def cell_label(record) -> str:
    return (
        NO_AUGMENTATION
        if record["method"] == NO_AUGMENTATION
        else f"{record['method']}:{record['recipe']}@k{record['k']}"
    )


def _index(records, classifier):
    """{(cell, seed, fold): (y_true, y_pred)} of one classifier."""
    return {
        (cell_label(r), r["seed"], r["fold"]): (r["y_true"], r["y_pred"])
        for r in records
        if r["classifier"] == classifier
    }


def pooled_scores(index, choice, seeds, folds, n_classes) -> dict:
    """UAR/WA per seed of the predictions pooled over ``folds``, each fold taken from cell ``choice[fold]``, and
    each fold's UAR (mean over seeds). ``None`` if a cell misses a (seed, fold)."""
    per_seed, fold_uar = [], {f: [] for f in folds}
    for seed in seeds:
        parts = [index.get((choice[f], seed, f)) for f in folds]
        if any(p is None for p in parts):
            return None
        y_true = np.concatenate([p[0] for p in parts])
        y_pred = np.concatenate([p[1] for p in parts])
        per_seed.append(
            {
                "seed": seed,
                "uar": unweighted_average_recall(y_true, y_pred, n_classes),
                "wa": weighted_accuracy(y_true, y_pred),
            }
        )
        for f, p in zip(folds, parts):
            fold_uar[f].append(unweighted_average_recall(p[0], p[1], n_classes))
    return {
        "per_seed": per_seed,
        "uar": float(np.mean([s["uar"] for s in per_seed])),
        "uar_std": float(np.std([s["uar"] for s in per_seed])),
        "wa": float(np.mean([s["wa"] for s in per_seed])),
        "wa_std": float(np.std([s["wa"] for s in per_seed])),
        "fold_uar": {f: float(np.mean(v)) for f, v in fold_uar.items()},
    }


def swap_halves(index, cells, halves, seeds, n_classes) -> dict:
    """Choose, for each half, the cell of ``cells`` with the best mean UAR on the other half's folds; return the
    choices, the selection scores and the pooled 10-fold result."""
    choice, chosen = {}, {}
    for half, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        scores = {}
        for cell in cells:
            score = pooled_scores(index, {f: cell for f in other}, seeds, other, n_classes)
            if score is not None:
                scores[cell] = score["uar"]
        if not scores:
            return None
        best = max(scores, key=lambda c: (scores[c], c))
        chosen[tuple(half)] = {"cell": best, "selection_uar": scores[best], "chosen_on": list(other)}
        choice.update({f: best for f in half})
    folds = [f for half in halves for f in half]
    result = pooled_scores(index, choice, seeds, folds, n_classes)
    return (
        None if result is None else {**result, "choices": [{"evaluated_on": list(h), **c} for h, c in chosen.items()]}
    )


def analyse(study: dict, halves, n_classes: int, classifier: str = "dnn", generators=()) -> dict:
    """The ablation table (every cell on all folds) and the swap-halves rows (generators; each baseline)."""
    records = [r for r in study["records"] if r["classifier"] == classifier]
    index = _index(records, classifier)
    seeds, folds = study["seeds"], [f for half in halves for f in half]
    cells = sorted({cell_label(r) for r in records})
    table = {}
    for cell in cells:
        score = pooled_scores(index, {f: cell for f in folds}, seeds, folds, n_classes)
        if score is not None:
            table[cell] = score
    if NO_AUGMENTATION not in table:
        return {"table": {}, "swap_halves": {}, "classifier": classifier}
    baseline = table[NO_AUGMENTATION]
    for cell, row in table.items():
        row["gain"] = None if cell == NO_AUGMENTATION else paired_uar_gain(row, baseline)
    groups = {"generators": [c for c in table if c.split(":")[0] in generators]}
    for method in sorted({c.split(":")[0] for c in table} - set(generators) - {NO_AUGMENTATION}):
        groups[method] = [c for c in table if c.split(":")[0] == method]
    swap = {}
    for name, group in groups.items():
        if group:
            row = swap_halves(index, group, halves, seeds, n_classes)
            if row is not None:
                row["gain"] = paired_uar_gain(row, baseline)
                swap[name] = row
    return {"table": table, "swap_halves": swap, "classifier": classifier}


# ----------------------------------------------------------------------------- the command
def reproduce_swap_halves(
    *,
    manual_dir=None,
    data_dir=None,
    output_dir="results/recipes_swap_halves",
    dataset: str = "emodb/is11",
    methods=("wadan", "smote"),
    seeds=(0, 1, 2),
    classifiers=("dnn",),
    normalisation: str = "global",
    training=None,
    dev_groups=None,
    jobs: int = 1,
    fresh: bool = False,
    report_only: bool = False,
    grid=None,
    classifier_settings=(),
    log=print,
) -> dict:
    """``serzoo reproduce yi-mak-emodb --protocol swap-halves``: run the study (resumable in ``output_dir``), choose
    every half's cell on the other half, and write ``report.md``, ``results.json``, ``predictions.json`` and figures.

    ``classifier_settings``: :class:`serzoo.hparams.ClassifierSetting` s (``best_classifier.json`` of a classifier
    search on each half) — each fold's classifiers, with and without augmentation, use the setting searched without
    its speaker, so gains are measured against a tuned classifier.
    """
    import pathlib

    from serzoo import report
    from serzoo.data import load_corpus, speaker_halves
    from serzoo.experiments.resume import UnitStore
    from serzoo.models import scheme_names

    start = time.perf_counter()
    training = {"schedule": "serzoo", **(training or {})}
    grid = dict(grid or RECIPE_GRID)
    out = pathlib.Path(output_dir)
    corpus = load_corpus(dataset, data_dir=data_dir, manual_dir=manual_dir)
    halves = speaker_halves(corpus, dev_groups)
    folds = [f for half in halves for f in half]
    fold_classifiers = fold_classifier_options(classifier_settings, folds, dataset, classifiers)
    if fresh:
        UnitStore.discard(out)
    store = UnitStore(
        out,
        {
            "dataset": dataset,
            "classifiers": list(classifiers),
            "normalisation": normalisation,
            "protocol": "swap-halves",
        },
    )
    if store.units:
        log(f"resuming: {len(store.units)} finished units in {store.path}")
    log(
        f"{dataset}: halves {halves[0]} | {halves[1]}; methods {list(methods)}, seeds {list(seeds)}, "
        f"{len(grid_cells(None, grid))} recipe cells, {normalisation} z-norm, training {training}"
    )
    study = run_study(
        corpus,
        list(methods),
        seeds=seeds,
        classifiers=classifiers,
        normalisation=normalisation,
        training=training,
        store=store,
        jobs=jobs,
        stored_only=report_only,
        grid=grid,
        fold_classifiers=fold_classifiers,
    )
    complete = _complete_seeds(study, corpus, methods)
    if not complete:
        raise ValueError(
            f"no seed is finished in {store.path} yet: nothing to report "
            f"({len(study['missing_units'])} units missing, e.g. {study['missing_units'][:2]})"
        )
    study["seeds"] = complete
    study["records"] = [r for r in study["records"] if r["seed"] in complete]
    generators = [m for m in methods if m in scheme_names()]
    analyses = {clf: analyse(study, halves, corpus.n_classes, clf, generators) for clf in classifiers}
    result = {
        "dataset": dataset,
        "methods": list(methods),
        "seeds": complete,
        "halves": [list(h) for h in halves],
        "normalisation": normalisation,
        "training": study["training"],
        "classifier_settings": _describe_settings(classifier_settings),
        "grid": {name: {"recipe": fields, "ks": list(ks)} for name, (fields, ks) in grid.items()},
        "analyses": analyses,
        "acceptance": _acceptance(study["diagnostics"]),
        "fit_seconds": _mean_by(study["timings"], "fit_seconds"),
        "classifier_seconds": _mean_by(study["records"], "seconds", key=cell_label),
        "missing_units": study["missing_units"],
        "seconds": time.perf_counter() - start,
    }
    figures = _figures(result, study["examples"], corpus.class_names, out)
    text = _report_markdown(result, figures)
    report.write_report(out, text, result, extra_json={"predictions.json": study["records"]})
    log(text)
    return result


def _describe_settings(settings) -> list[dict]:
    return [
        {
            "evaluated_on": list(s.evaluation_groups),
            "classifier": s.classifier,
            "options": s.options,
            "searched_on": list(s.development_groups),
            "source": s.source,
        }
        for s in settings
    ]


def _complete_seeds(study, corpus, methods) -> list[int]:
    """Seeds whose every (fold, method) unit is stored (partial seeds are left out of the analysis)."""
    have = {(r["seed"], r["fold"], r["method"]) for r in study["records"]}
    return [
        s for s in study["seeds"] if all((s, f, m) in have for f in study["folds"] for m in (NO_AUGMENTATION, *methods))
    ]


def _acceptance(diagnostics) -> dict:
    rates = {}
    for d in diagnostics:
        if d.get("acceptance_rate") is not None:
            rates.setdefault(f"{d['method']}:{d['recipe']}@k{d['k']}", []).append(d["acceptance_rate"])
    return {cell: float(np.mean(v)) for cell, v in rates.items()}


def _mean_by(rows, field, key=lambda r: r["method"]) -> dict:
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r[field])
    return {k: float(np.mean(v)) for k, v in groups.items()}


def _figures(result, examples, class_names, out) -> list[str]:
    from serzoo import plots

    names = []
    for clf, analysis in result["analyses"].items():
        table = analysis["table"]
        if not table:
            continue
        rows = []
        for cell, row in table.items():
            if cell == NO_AUGMENTATION:
                rows.append(
                    {
                        "method": cell,
                        "k": 0,
                        "classifier": clf,
                        "synthetic_only": False,
                        "uar": row["uar"],
                        "uar_std": row["uar_std"],
                    }
                )
                continue
            name, k = cell.rsplit("@k", 1)
            if len(result["grid"].get(name.split(":", 1)[1], {"ks": ()})["ks"]) > 1:
                rows.append(
                    {
                        "method": name,
                        "k": int(k),
                        "classifier": clf,
                        "synthetic_only": False,
                        "uar": row["uar"],
                        "uar_std": row["uar_std"],
                    }
                )
        if any(r["k"] > 0 for r in rows):  # a grid with several k for some recipe
            names.append(
                plots.uar_vs_k_png(
                    rows, out / f"uar_vs_k_{clf}.png", title=f"{result['dataset']}: UAR vs k per recipe (all folds)"
                ).name
            )
        names.append(
            plots.recipe_gains_png(
                {cell: row["gain"] for cell, row in table.items() if row["gain"]},
                out / f"recipe_gains_{clf}.png",
                title=f"{result['dataset']}, {clf}: UAR gain over no augmentation (all folds, ± std over seeds)",
            ).name
        )
    if examples:
        names.append(plots.tsne_png(examples, class_names, out / "tsne_recipes.png").name)
    return names


def _report_markdown(result, figures) -> str:
    from serzoo.report import format_gain

    lines = [
        f"# Recipe study, swap-halves protocol: {result['dataset']}",
        "",
        f"Leave-one-speaker-out over all folds, {result['normalisation']} z-norm fitted on the training fold, "
        f"seeds {result['seeds']} (complete seeds only), generators trained as "
        f"({'; '.join(f'{m}: {t}' for m, t in result['training'].items())}). Halves: "
        f"{', '.join(result['halves'][0])} | {', '.join(result['halves'][1])}. Each half's folds use the cell "
        "(method, recipe, k) with the best mean UAR over the other half's folds; the predictions of all folds "
        "are then pooled. Gains are paired by seed (mean ± std over seeds) and counted per fold (mean over "
        f"seeds). Wall time of this invocation {result['seconds'] / 60:.1f} min.",
        "",
    ]
    if result["classifier_settings"]:
        lines += [
            "Classifiers tuned without the test speaker (every cell of a fold, no augmentation included, uses "
            "the setting searched on the other half):",
            "",
        ]
        lines += [
            f"- {'/'.join(g[-2:] for g in c['evaluated_on'])}: {c['classifier']} `{json.dumps(c['options'])}` "
            f"(searched on {'/'.join(g[-2:] for g in c['searched_on'])}, {c['source']})"
            for c in result["classifier_settings"]
        ]
        lines.append("")
    else:
        lines += ["Classifiers at their default fields (DNN: the papers' 100 epochs, Adam 1e-4).", ""]
    for clf, analysis in result["analyses"].items():
        if not analysis["table"]:
            continue
        base = analysis["table"][NO_AUGMENTATION]
        lines += [
            f"## {clf}: swap-halves result (the headline)",
            "",
            "| selection over | UAR % | WA % | UAR gain over none, points (folds ↑/↓) | chosen per half |",
            "|---|---|---|---|---|",
            f"| none (no augmentation) | {100 * base['uar']:.2f} ± {100 * base['uar_std']:.2f} "
            f"| {100 * base['wa']:.2f} ± {100 * base['wa_std']:.2f} | – | – |",
        ]
        for name, row in analysis["swap_halves"].items():
            chosen = "; ".join(
                f"{c['cell']} for {'/'.join(s[-2:] for s in c['evaluated_on'])} "
                f"(chosen at {100 * c['selection_uar']:.2f} on the other half)"
                for c in row["choices"]
            )
            lines.append(
                f"| {name} | {100 * row['uar']:.2f} ± {100 * row['uar_std']:.2f} | {100 * row['wa']:.2f} ± "
                f"{100 * row['wa_std']:.2f} | {format_gain(row['gain'])} | {chosen} |"
            )
        lines += [
            "",
            f"## {clf}: ablation, every cell on all folds (post hoc: not used to choose anything)",
            "",
            "| cell (method:recipe@k) | UAR % | UAR gain, points (folds ↑/↓) | curation acceptance | classifier s |",
            "|---|---|---|---|---|",
        ]
        order = sorted(analysis["table"], key=lambda c: (c != NO_AUGMENTATION, -analysis["table"][c]["uar"]))
        for cell in order:
            row = analysis["table"][cell]
            acc = result["acceptance"].get(cell)
            lines.append(
                f"| {cell} | {100 * row['uar']:.2f} ± {100 * row['uar_std']:.2f} | {format_gain(row['gain'])} "
                f"| {'–' if acc is None else f'{100 * acc:.0f} %'} "
                f"| {result['classifier_seconds'].get(cell, float('nan')):.1f} |"
            )
        lines.append("")
    lines += ["## Recipes (fixed before the run)", "", "| recipe | fields | k |", "|---|---|---|"]
    lines += [
        f"| {name} | `{json.dumps(g['recipe'])}` | {', '.join(map(str, g['ks']))} |"
        for name, g in result["grid"].items()
    ]
    lines += [
        "",
        "Generator fit seconds per unit (1 thread): "
        + ", ".join(f"{m} {s:.0f}" for m, s in result["fit_seconds"].items()),
        "",
    ]
    if result["missing_units"]:
        lines += [f"{len(result['missing_units'])} units not finished yet (left out).", ""]
    lines += [f"![{name}]({name})" for name in figures]
    return "\n".join(lines)
