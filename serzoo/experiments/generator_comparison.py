"""Sahu et al. (IEEE TAC), Tables 2-3 and Figs. 3-4 under leave-one-speaker-out: M1, M2 and M3
compared by the quality of their synthetic feature vectors.

Per fold (training-fold z-norm), each model is trained on the training speakers ("set-1") and
generates a balanced synthetic set as large as set-1 (the paper: ~6000 vectors, the size of its
IEMOCAP set, classes equally likely). Metrics, as in :mod:`serzoo.quality`: metric 1 = a linear SVM
trained on real data labels the synthetic data (UAR), metric 2 = trained on synthetic data, tested
on real data (UAR), each with set-1 and with the held-out speaker ("set-2") as the real data;
metric 3 = FID on the third hidden layer of a 4 × 64 MLP trained on set-1; MMD beside them. Numbers
are means ± std over folds (the paper averages its 5 folds). Finished (fold, model) units are kept
in ``units.jsonl`` so an interrupted run resumes.
"""

from __future__ import annotations

import dataclasses
import pathlib
import time

import numpy as np

from serzoo import plots
from serzoo.data import Corpus, FoldCache
from serzoo.experiments.resume import UnitStore
from serzoo.schedules import schedule_keyword

MODELS = ("m1", "m2", "m3")
METRICS = ("metric1_set1", "metric2_set1", "metric1_set2", "metric2_set2", "fid", "mmd")
#: Sahu et al., Table 2 (UAR %, IEMOCAP 4 classes, 5 folds) and Table 3 (FID).
PAPER = {
    "m1": {"metric1_set1": 85.60, "metric2_set1": 48.58, "metric1_set2": 72.52, "metric2_set2": 45.89, "fid": 14.52},
    "m2": {"metric1_set1": 88.41, "metric2_set1": 49.91, "metric1_set2": 74.75, "metric2_set2": 46.96, "fid": 13.24},
    "m3": {"metric1_set1": 55.20, "metric2_set1": 52.24, "metric1_set2": 45.63, "metric2_set2": 51.58, "fid": 33.99},
}
TSNE_POINTS = 300  # synthetic vectors per model in the t-SNE figure


def balanced_labels(n: int, n_classes: int) -> np.ndarray:
    """``n`` labels with every class equally often (up to one)."""
    return np.resize(np.arange(n_classes, dtype=np.int32), n)


def _settings(corpus, models, training, schedule, n_synthetic, seed, options) -> dict:
    # "optimizers" names the schedule as the first stores did ("paper" = Sahu et al.'s SGD, "adam" = Adam 1e-4)
    settings = {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "models": list(models),
        "epochs": training.epochs,
        "optimizers": "paper" if schedule == "paper" else "adam",
        "n_synthetic": n_synthetic,
        "seed": seed,
        "options": options or {},
    }
    if training.tag not in ("", "sahu_sgd"):
        settings["training"] = training.tag
    from serzoo.models import get_scheme

    revisions = {m: get_scheme(m).revision for m in models if get_scheme(m).revision > 1}
    if revisions:  # units of an older implementation are not reused
        settings["revisions"] = revisions
    return settings


@schedule_keyword
def run_generator_comparison(
    corpus: Corpus,
    output_dir,
    *,
    models=MODELS,
    schedule: str = "paper",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    n_synthetic: int | None = None,
    seed: int = 0,
    options: dict | None = None,
    max_folds: int | None = None,
    groups=None,
    rate_scales=(),
    fresh: bool = False,
    progress: bool = True,
    jobs: int = 1,
) -> dict:
    """Train every model on every fold and score its synthetic data; returns a JSON-ready dict.

    Args:
        schedule: ``"paper"`` (Sahu et al.'s per-player SGD) or ``"serzoo"`` (Adam 1e-4 everywhere), see
            :mod:`serzoo.schedules`; ``epochs``, ``learning_rate`` and ``batch_size`` override it.
        n_synthetic: synthetic vectors per fold (``None`` = the training fold's size).
        options: extra builder arguments for every model (e.g. smaller ``widths`` in tests, ``generator_steps``).
        groups: only these groups (e.g. the development speakers): their folds, the others left out entirely.
        rate_scales: ``((player, factor), ...)`` of :class:`~serzoo.schedules.Training` for every model (Adam only),
            e.g. ``(("feature_discriminator", 0.1),)`` (every model must have those players).
        fresh: forget the finished units in ``output_dir`` first.
        jobs: worker processes computing (fold, model) units in parallel (1 = in this process).
    """
    from tqdm.auto import tqdm

    from serzoo.data import leave_one_group_out
    from serzoo.experiments.workers import run_units
    from serzoo.schedules import training_for

    trainings = {
        m: dataclasses.replace(
            training_for(m, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size),
            rate_scales=tuple(tuple(pair) for pair in rate_scales),
        )
        for m in models
    }
    if groups:
        corpus = corpus.subset(groups)
    out = pathlib.Path(output_dir)
    if fresh:
        (out / UnitStore.FILE).unlink(missing_ok=True)
    settings = _settings(corpus, models, trainings[models[0]], schedule, n_synthetic, seed, options)
    if groups:
        settings["groups"] = sorted(corpus.splits)
    store = UnitStore(out, settings)
    folds = [f.name for f in leave_one_group_out(list(corpus.splits), max_folds)]
    keys = [(fold, model) for fold in folds for model in models]
    wanted_examples = set(models) - store.example_methods()
    todo = []
    for fold, model in keys:
        if store.get(f"{fold}/{model}") is None:
            todo.append((f"{fold}/{model}", (fold, model, model in wanted_examples)))
            wanted_examples -= {model}

    def finished(key, outcome):
        unit, example = outcome
        store.add(key, unit)
        if example:
            store.save_example(unit["model"], example)

    bar = tqdm(
        total=len(keys), initial=len(keys) - len(todo), desc="folds × models", unit="model", disable=not progress
    )
    run_units(
        todo,
        _compute_unit,
        finished,
        jobs=jobs,
        setup=_ComparisonContext,
        progress=bar,
        setup_args=(corpus, trainings, dict(options or {}), n_synthetic, seed),
    )
    bar.close()
    return summarise(store, corpus, models, folds)


class _ComparisonContext:
    """Per process: the corpus, the training settings, and the fold in use with its FID scorer."""

    def __init__(self, corpus, trainings, options, n_synthetic, seed):
        self.corpus, self.trainings, self.options, self.n_synthetic, self.seed = (
            corpus,
            trainings,
            options,
            n_synthetic,
            seed,
        )
        self.fold = FoldCache(corpus)
        self._fid = (None, None)

    def fid(self, data):
        from serzoo.quality import FidScorer

        if self._fid[0] != data.fold.name:
            self._fid = (
                data.fold.name,
                FidScorer(self.corpus.n_classes, seed=self.seed).fit(data.x_train, data.y_train),
            )
        return self._fid[1]


def _compute_unit(context: _ComparisonContext, fold: str, model: str, keep_example: bool):
    """One (fold, model) unit: train on the fold's training speakers, score a balanced synthetic set."""
    from serzoo.augmenters import make_augmenter
    from serzoo.quality import generator_quality

    data, n, seed = context.fold(fold), context.corpus.n_classes, context.seed
    labels = balanced_labels(context.n_synthetic or len(data.y_train), n)
    start = time.perf_counter()
    augmenter = make_augmenter(model, seed=seed, training=context.trainings[model], **context.options)
    augmenter.fit(data.x_train, data.y_train, n)
    seconds = time.perf_counter() - start
    synthetic = augmenter.sample(labels, seed=seed + 1)
    set1 = generator_quality(data.x_train, data.y_train, synthetic, labels, n)
    set2 = generator_quality(data.x_test, data.y_test, synthetic, labels, n)
    unit = {
        "fold": fold,
        "model": model,
        "fit_seconds": seconds,
        "metric1_set1": set1["trts_uar"],
        "metric2_set1": set1["tstr_uar"],
        "metric1_set2": set2["trts_uar"],
        "metric2_set2": set2["tstr_uar"],
        "fid": context.fid(data).score(data.x_train, synthetic),
        "mmd": set1["mmd"],
    }
    example = None
    if keep_example:
        shown = np.random.default_rng(seed).permutation(len(labels))[:TSNE_POINTS]
        example = {
            "fold": fold,
            "real": data.x_train,
            "real_labels": data.y_train,
            "synthetic": synthetic[shown],
            "synthetic_labels": labels[shown],
            "history": augmenter.history_,
        }
    return unit, example


def summarise(store: UnitStore, corpus: Corpus, models, fold_names) -> dict:
    """Mean ± std over folds of every metric, per model, from the stored units (plus the figure material
    under ``examples``, which :func:`render_report` takes out before writing the JSON)."""
    units = [store.get(f"{fold}/{model}") for fold in fold_names for model in models]
    table = {}
    for model in models:
        rows = [u for u in units if u["model"] == model]
        table[model] = {
            metric: {"mean": float(np.mean([r[metric] for r in rows])), "std": float(np.std([r[metric] for r in rows]))}
            for metric in METRICS
        }
        table[model]["fit_seconds"] = float(np.mean([r["fit_seconds"] for r in rows]))
    return {
        **store.settings,
        "class_names": corpus.class_names,
        "folds": len(fold_names),
        "table": table,
        "units": units,
        "examples": store.load_examples(),
    }


def render_report(result: dict, output_dir) -> str:
    """The t-SNE (Fig. 4) and loss-curve (Fig. 3) figures in ``output_dir``; returns the Markdown report and
    leaves ``result`` JSON-ready (the figure material taken out)."""
    out = pathlib.Path(output_dir)
    stored = result.pop("examples")
    examples = {m.upper(): stored[m] for m in result["models"] if m in stored}
    figures = [
        "(No figures: the figure material in examples/ is not stored here, e.g. a fresh checkout of a "
        "committed run; run one unit again with --fresh in another folder to draw them.)"
    ]
    if examples:
        tsne = plots.tsne_png(examples, result["class_names"], out / "tsne_real_vs_synthetic.png")
        losses = plots.loss_curves_png(
            {m: ex["history"] for m, ex in examples.items()},
            out / "loss_curves.png",
            title="training losses (first fold)",
        )
        figures = [f"![t-SNE of real vs synthetic vectors]({tsne.name})", "", f"![training losses]({losses.name})"]

    def cell(model, metric, scale):
        value = result["table"][model][metric]
        return f"{scale * value['mean']:.2f} ± {scale * value['std']:.2f}"

    def paper(model, metric):
        value = PAPER.get(model, {}).get(metric)
        return "–" if value is None else f"{value:.2f}"

    rows = []
    for model in result["models"]:
        ours = [cell(model, m, 100 if m.startswith("metric") else 1) for m in METRICS]
        rows.append(f"| {model.upper()} | " + " | ".join(ours) + f" | {result['table'][model]['fit_seconds']:.0f} |")
        rows.append(f"| {model.upper()} (paper) | " + " | ".join(paper(model, m) for m in METRICS) + " | – |")
    text = "\n".join(
        [
            f"# M1 / M2 / M3 of Sahu et al. under leave-one-speaker-out: {result['dataset']}",
            "",
            f"{result['folds']} folds, seed {result['seed']}, {result['epochs']} epochs, optimizers: "
            f"{result['optimizers']}, synthetic set per fold: "
            f"{result['n_synthetic'] or 'the training fold size'} balanced vectors. Metric 1: SVM trained on real "
            "data labels the synthetic data; metric 2: SVM trained on synthetic data labels real data (UAR %); set-1 = "
            "the training speakers, set-2 = the held-out speaker; FID on the 3rd hidden layer of a 4 × 64 MLP trained "
            "on set-1; MMD with the RBF mixture. Mean ± std over folds. Paper: IEMOCAP, 4 classes, 5 folds "
            "(chance 25 %).",
            "",
            "| model | metric 1, set-1 | metric 2, set-1 | metric 1, set-2 | metric 2, set-2 | FID | MMD | fit s |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            *figures,
            "",
        ]
    )
    return text
