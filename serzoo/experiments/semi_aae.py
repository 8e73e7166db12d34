"""The semi-supervised AAE experiment (ICASSP 2019, Table 1) on a speaker-split corpus, resumable.

Protocol (the paper's, on leave-one-speaker-out folds): in each fold one training speaker is held out for
validation (the speaker after the test speaker in split order, fixed in advance), the model trains for
``epochs`` epochs on the others, and the test predictions of the epoch with the best validation UAR count.
Predictions are pooled over all folds into one UAR per run ("accumulating the predictions over all folds");
runs differ by seed. Methods (each at every labelled fraction, :func:`serzoo.models.semi_aae.hide_labels`):

- ``base``: the encoder's network trained by the supervised phase only (the paper's baseline; at the
  utterance level 2 x 256 ReLU, at the frame level the CNN of Table 2), with the optimised model's batch
  norm and dropout, so that the auxiliary tasks are the only difference to ``aae``;
- ``aae_vanilla``: all three phases, no batch norm, no discriminator dropout, equal rates (Table 1 row 2);
- ``aae``: all three phases, optimised (batch norm, discriminator dropout 0.5, discriminator rate 0.1 x).

Frame-level models (``level="frames"``) train on one random crop per utterance and epoch and classify an
utterance by the mean posterior of its crops (:mod:`serzoo.frames`). AAE vs base: a one-tailed paired t-test
over the runs (the paper's test), per labelled fraction.
"""

from __future__ import annotations

import time

import numpy as np

from serzoo.data import Corpus, iter_folds
from serzoo.metrics import unweighted_average_recall

METHODS = ("base", "aae_vanilla", "aae")
LEVELS = ("utterance", "frames")


def method_settings(method: str) -> dict:
    """Builder options and the discriminators' rate factor of a method."""
    from serzoo.models.semi_aae import PHASES
    from serzoo.presets import SEMI_AAE_PAPER

    settings = {
        "base": {"phases": ("supervised",), "optimised": True, "discriminator_rate": 1.0},
        "aae_vanilla": {"phases": PHASES, "optimised": False, "discriminator_rate": 1.0},
        "aae": {"phases": PHASES, "optimised": True, "discriminator_rate": SEMI_AAE_PAPER["discriminator_rate_ratio"]},
    }
    if method not in settings:
        raise ValueError(f"unknown method {method!r}; choose from: {', '.join(METHODS)}")
    return settings[method]


def validation_split(splits, test_split: str) -> str:
    """The split after ``test_split`` in ``splits`` (cyclic): the fold's validation speaker."""
    splits = list(splits)
    return splits[(splits.index(test_split) + 1) % len(splits)]


def _posteriors(model, x, crop_frames):
    from serzoo.frames import utterance_posteriors

    return model.classify(x) if crop_frames is None else utterance_posteriors(model.classify, list(x), crop_frames)


def train_and_select(method: str, level: str, train, validation, test, n_classes: int, *, epochs: int,
                     batch_size: int, learning_rate: float, seed: int, options: dict | None = None,
                     jit_compile: bool = False) -> dict:
    """Train one model and return the test predictions of its best validation epoch.

    ``train``, ``validation``, ``test``: ``(x, y)`` pairs of normalised data (``y`` of ``train`` may hold
    :data:`~serzoo.models.semi_aae.UNLABELLED`); frame-level ``x`` are lists of ``[frames, LLDs]`` arrays.
    ``jit_compile``: off by default, since XLA-compiling the four-optimizer step took 25 s against 6 s of plain
    tracing for a tiny model (measured under load), more than it saves on a few hundred steps.
    """
    import keras

    from serzoo.frames import random_crops
    from serzoo.models.semi_aae import build_semi_aae, build_semi_aae_frames
    from serzoo.presets import Training

    settings = method_settings(method)
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_val, y_val), (x_test, _) = train, validation, test
    options = dict(options or {})
    if level == "frames":
        model = build_semi_aae_frames(x_train[0].shape[1], n_classes, seed=seed, phases=settings["phases"],
                                      optimised=settings["optimised"], **options)
    else:
        model = build_semi_aae(x_train.shape[1], n_classes, seed=seed, phases=settings["phases"],
                               optimised=settings["optimised"], **options)
    scales = () if settings["discriminator_rate"] == 1.0 else (("discriminator", settings["discriminator_rate"]),)
    training = Training(epochs, learning_rate=learning_rate, batch_size=batch_size, rate_scales=scales)
    model.compile(jit_compile=jit_compile, **training.optimizers("semi_aae", model.PLAYERS))
    crop = model.crop_frames
    start, best = time.perf_counter(), {"val_uar": -1.0}
    curve = []
    for epoch in range(epochs):
        x_epoch = x_train if crop is None else random_crops(x_train, crop, rng)
        model.fit(x_epoch, y_train, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
        val_uar = unweighted_average_recall(y_val, _posteriors(model, x_val, crop).argmax(1), n_classes)
        curve.append(round(float(val_uar), 4))
        if val_uar > best["val_uar"]:
            best = {"val_uar": float(val_uar), "best_epoch": epoch + 1,
                    "y_pred": _posteriors(model, x_test, crop).argmax(1).tolist()}
    return {**best, "validation_curve": curve, "seconds": time.perf_counter() - start}


def run_semi_aae(
    corpus: Corpus, *, level: str = "utterance", methods=METHODS, seeds=(0,), fractions=(1.0,), epochs: int = 100,
    batch_size: int = 128, learning_rate: float = 1e-4, max_folds: int | None = None, output_dir=None,
    options: dict | None = None, progress: bool = True, log=print, jit_compile: bool = False,
    normalisation: str = "global",
) -> dict:
    """Every (seed, labelled fraction, method, fold) unit, resumable in ``output_dir``; a JSON-ready dict."""
    from serzoo.experiments.resume import UnitStore
    from serzoo.models.semi_aae import hide_labels

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    for method in methods:
        method_settings(method)
    settings = {"dataset": f"{corpus.name}/{corpus.feature_set}", "level": level, "epochs": epochs,
                "batch_size": batch_size, "learning_rate": learning_rate, "options": options or {},
                "normalisation": normalisation}
    store = UnitStore(output_dir, settings) if output_dir else None
    units = {}
    for data in iter_folds(corpus, normalisation=normalisation, max_folds=max_folds, progress=progress,
                           desc=f"semi-aae {level}"):
        test_split = data.fold.test_splits[0]
        val_split = validation_split(corpus.splits, test_split)
        is_val = np.isin(data.train.speaker, np.unique(corpus.splits[val_split].speaker))
        x_train, x_val = data.x_train[~is_val], data.x_train[is_val]
        y_train, y_val = data.y_train[~is_val], data.y_train[is_val]
        if level == "frames":
            x_train, x_val, x_test = list(x_train), list(x_val), list(data.x_test)
        else:
            x_test = data.x_test
        for seed in seeds:
            for fraction in fractions:
                labels = hide_labels(y_train, fraction, corpus.n_classes, seed=seed).astype(np.int32)
                for method in methods:
                    key = f"seed{seed}/frac{fraction:g}/{method}/{test_split}"
                    unit = store.get(key) if store else None
                    if unit is None:
                        unit = train_and_select(method, level, (x_train, labels), (x_val, y_val), (x_test, None),
                                                corpus.n_classes, epochs=epochs, batch_size=batch_size,
                                                learning_rate=learning_rate, seed=seed, options=options,
                                                jit_compile=jit_compile)
                        unit.update(y_true=data.y_test.tolist(), validation_split=val_split,
                                    n_labelled=int((labels >= 0).sum()))
                        if store:
                            store.add(key, unit)
                        log(f"{key}: validation UAR {unit['val_uar']:.3f} at epoch {unit['best_epoch']}, "
                            f"{unit['seconds']:.0f} s")
                    units[key] = unit
    return {"settings": settings, "class_names": corpus.class_names, "methods": list(methods),
            "seeds": list(seeds), "fractions": list(fractions), "summary": summarise(units, corpus.n_classes),
            "units": units}


def summarise(units: dict, n_classes: int) -> dict:
    """Pooled test UAR per (fraction, method, seed), their mean/std over seeds, and the one-tailed paired t-test
    of each AAE against ``base`` over the seeds (``p`` = None with fewer than 2 seeds)."""
    from scipy import stats

    pooled: dict = {}
    for key, unit in units.items():
        seed, fraction, method, _ = key.split("/")
        entry = pooled.setdefault(fraction, {}).setdefault(method, {}).setdefault(seed, ([], []))
        entry[0].extend(unit["y_true"])
        entry[1].extend(unit["y_pred"])
    summary = {}
    for fraction, by_method in pooled.items():
        uars = {method: {seed: float(unweighted_average_recall(np.array(t), np.array(p), n_classes))
                         for seed, (t, p) in sorted(by_seed.items())} for method, by_seed in by_method.items()}
        rows = {method: {"uar_by_seed": u, "mean": float(np.mean(list(u.values()))),
                         "std": float(np.std(list(u.values())))} for method, u in uars.items()}
        for method in rows:
            if method == "base" or "base" not in uars:
                continue
            seeds = sorted(set(uars[method]) & set(uars["base"]))
            if len(seeds) >= 2:
                a, b = [uars[method][s] for s in seeds], [uars["base"][s] for s in seeds]
                p = float(stats.ttest_rel(a, b, alternative="greater").pvalue) if a != b else 0.5
            else:
                p = None
            rows[method]["p_vs_base"] = p
        summary[fraction.removeprefix("frac")] = rows
    return summary


def render_report(result: dict) -> str:
    """Markdown: UAR (pooled over folds, mean +/- std over seeds) per method and labelled fraction."""
    s = result["settings"]
    lines = [f"# Semi-supervised AAE (ICASSP 2019 protocol) on {s['dataset']}, {s['level']} level", "",
             f"{len(result['seeds'])} run(s) (seeds {result['seeds']}), {s['epochs']} epochs, batch {s['batch_size']}, "
             f"Adam {s['learning_rate']:g}; best epoch on a held-out training speaker; UAR of the predictions "
             "pooled over all folds. p: one-tailed paired t-test of the AAE > base over the runs.", "",
             "| labelled | method | UAR % (mean ± std) | p vs base | per run |", "|---|---|---|---|---|"]
    for fraction, rows in result["summary"].items():
        for method in result["methods"]:
            if method not in rows:
                continue
            row = rows[method]
            p = row.get("p_vs_base")
            per_run = ", ".join(f"{100 * v:.1f}" for v in row["uar_by_seed"].values())
            lines.append(f"| {float(fraction):.0%} | {method} | {100 * row['mean']:.2f} ± {100 * row['std']:.2f} | "
                         f"{'–' if p is None else f'{p:.3f}'} | {per_run} |")
    return "\n".join(lines) + "\n"
