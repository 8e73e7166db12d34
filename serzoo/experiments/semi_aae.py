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

Figures (:func:`write_figures`) show one model: the optimised ``aae`` of the first fold, first seed and highest
labelled fraction, at its best validation epoch: a t-SNE of the style ``z`` of the fold's validation and test
utterances by speaker and by emotion, its loss per phase and epoch, and (frame level) one test utterance's pitch
and loudness contours, real vs decoded. Their material is kept in that one unit's payload (``"figures"``), so a
resumed run draws them again. The utterance level has no reconstruction figure: a functional vector has no
time axis, and "the most variable" of z-normalised features (all of variance 1 on the training fold) is arbitrary.
"""

from __future__ import annotations

import pathlib
import time

import numpy as np

from serzoo.data import Corpus, iter_folds
from serzoo.metrics import unweighted_average_recall

METHODS = ("base", "aae_vanilla", "aae")
LEVELS = ("utterance", "frames")
#: The method the figures show, and the most validation + test utterances in its style t-SNE.
FIGURE_METHOD, FIGURE_UTTERANCES = "aae", 300


def method_settings(method: str) -> dict:
    """Builder options and the discriminators' rate factor of a method."""
    from serzoo.models.semi_aae import PHASES
    from serzoo.schedules import SEMI_AAE_PAPER

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


def build_model(
    method: str,
    level: str,
    input_dim: int,
    n_classes: int,
    *,
    seed: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    options: dict | None = None,
    jit_compile: bool = False,
):
    """The compiled model of ``method`` (:func:`method_settings`) at ``level`` with one Adam optimizer per player
    (:class:`serzoo.schedules.Training`; the discriminators at the method's rate factor). ``options`` go to the
    builder (:func:`~serzoo.models.semi_aae.build_semi_aae`, :func:`~serzoo.models.semi_aae.build_semi_aae_frames`)."""
    from serzoo.models.semi_aae import build_semi_aae, build_semi_aae_frames
    from serzoo.schedules import Training

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    settings = method_settings(method)
    builder = build_semi_aae_frames if level == "frames" else build_semi_aae
    model = builder(
        input_dim,
        n_classes,
        seed=seed,
        phases=settings["phases"],
        optimised=settings["optimised"],
        **dict(options or {}),
    )
    scales = () if settings["discriminator_rate"] == 1.0 else (("discriminator", settings["discriminator_rate"]),)
    training = Training(epochs, learning_rate=learning_rate, batch_size=batch_size, rate_scales=scales)
    model.compile(jit_compile=jit_compile, **training.optimizers("semi_aae", model.PLAYERS))
    return model


def train_and_select(
    method: str,
    level: str,
    train,
    validation,
    test,
    n_classes: int,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    options: dict | None = None,
    jit_compile: bool = False,
    figures: dict | None = None,
    synthetic=None,
    after=None,
) -> dict:
    """Train one model and return the test predictions of its best validation epoch.

    ``train``, ``validation``, ``test``: ``(x, y)`` pairs of normalised data (``y`` of ``train`` may hold
    :data:`~serzoo.models.semi_aae.UNLABELLED`); frame-level ``x`` are lists of ``[frames, LLDs]`` arrays.
    ``jit_compile``: off by default, since XLA-compiling the four-optimizer step took 25 s against 6 s of plain
    tracing for a tiny model (measured under load), more than it saves on a few hundred steps; the frame-level step
    at the paper's size is slower with XLA (49 vs 70 samples/s, ``benchmarks/bench_semi_aae_step.py``).
    ``figures``: the inputs of :func:`figure_material`; the result then holds ``"figures"``, that material at the
    best epoch plus the losses of every epoch.
    ``synthetic``: ``(x, y)`` synthetic examples (frame level: crops) that augment training at equal updates: each
    epoch trains on as many rows as there are real utterances, drawn from the real and synthetic ones together
    (:func:`serzoo.frames.epoch_rows`). ``after``: called with the model after the last epoch; the dict it returns is
    merged into the result (e.g. a generator's measures).
    """
    import keras

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_val, y_val), (x_test, _) = train, validation, test
    input_dim = x_train[0].shape[1] if level == "frames" else x_train.shape[1]
    model = build_model(
        method,
        level,
        input_dim,
        n_classes,
        seed=seed,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        options=options,
        jit_compile=jit_compile,
    )
    crop = model.crop_frames
    start, best = time.perf_counter(), {"val_uar": -1.0}
    curve, losses = [], {name: [] for name in model.LOSSES}
    for epoch in range(epochs):
        x_epoch, y_epoch = _epoch(x_train, y_train, synthetic, crop, rng)
        history = model.fit(x_epoch, y_epoch, batch_size=batch_size, epochs=1, verbose=0, shuffle=True).history
        for name, values in losses.items():
            values.append(float(f"{history[name][-1]:.5g}"))
        val_uar = unweighted_average_recall(y_val, _posteriors(model, x_val, crop).argmax(1), n_classes)
        curve.append(round(float(val_uar), 4))
        if val_uar > best["val_uar"]:
            best = {
                "val_uar": float(val_uar),
                "best_epoch": epoch + 1,
                "y_pred": _posteriors(model, x_test, crop).argmax(1).tolist(),
            }
            if figures is not None:
                best["figures"] = figure_material(model, **figures)
    if figures is not None:
        best["figures"]["losses"] = losses
    seconds = time.perf_counter() - start
    return {**best, "validation_curve": curve, "seconds": seconds, **(after(model) if after else {})}


def _epoch(x_train, y_train, synthetic, crop, rng):
    """One epoch's training rows: the real ones (a random crop of each at the frame level), or at equal updates
    as many drawn from the real and ``synthetic`` ones together."""
    from serzoo.frames import epoch_rows, random_crops

    if synthetic is None:
        return (x_train if crop is None else random_crops(x_train, crop, rng)), y_train
    real, fake = epoch_rows(len(y_train), len(synthetic[1]), rng)
    x_fake = np.asarray(synthetic[0], np.float32)[fake]
    if crop is None:
        x_real = x_train[real]
    else:
        x_real = random_crops([x_train[i] for i in real], crop, rng) if len(real) else x_fake[:0]
    x = np.concatenate([x_real, x_fake]).astype(np.float32)
    return x, np.concatenate([np.asarray(y_train)[real], np.asarray(synthetic[1])[fake]]).astype(np.int32)


def _rounded(values) -> list:
    """Nested lists of 4 significant digits (figure material in ``units.jsonl``)."""
    return [_rounded(v) for v in values] if np.ndim(values) > 1 else [float(f"{v:.4g}") for v in values]


def figure_inputs(corpus: Corpus, data, is_val, level: str) -> dict:
    """The data behind one unit's figures (:func:`figure_material`) in fold ``data``: its validation (``is_val``
    rows of the training split) and test utterances, at most :data:`FIGURE_UTTERANCES` (a seeded subset), with
    speakers and true labels; at the frame level also the first test utterance and two LLD columns
    (:func:`reconstruction_llds`) with the fold's :class:`~serzoo.data.Normalizer`."""
    x = np.concatenate([data.x_train[is_val], data.x_test])
    speakers = np.concatenate([data.train.speaker[is_val], data.test.speaker])
    labels = np.concatenate([data.y_train[is_val], data.y_test])
    rows = np.arange(len(x))
    if len(rows) > FIGURE_UTTERANCES:
        rows = np.sort(np.random.default_rng(0).choice(rows, FIGURE_UTTERANCES, replace=False))
    inputs = {"x": x[rows], "speakers": speakers[rows], "labels": labels[rows], "sequence": None}
    if level == "frames":
        names = [n for n, kept in zip(_lld_names(corpus, data.normalizer.keep.size), data.normalizer.keep) if kept]
        inputs.update(
            sequence=data.x_test[0],
            utterance=str(data.test.utterance_id[0]),
            normalizer=data.normalizer,
            lld_names=names,
        )
    return inputs


def _lld_names(corpus: Corpus, n: int) -> list[str]:
    """openSMILE's names of a known feature set's columns, else ``feature 0`` ... (e.g. in-memory test corpora)."""
    from serzoo.features import ALIASES, FEATURE_SETS

    name = (corpus.opensmile_set or corpus.feature_set).lower()
    return corpus.feature_names if ALIASES.get(name, name) in FEATURE_SETS else [f"feature {i}" for i in range(n)]


def reconstruction_llds(names) -> list[int]:
    """The columns of pitch (F0) and loudness among LLD ``names`` (ComParE 2016: ``F0final_sma`` and
    ``audspec_lengthL1norm_sma``, the sum of the auditory spectrum: its loudness); the first other columns stand in
    for a missing one."""
    lowered = [n.lower() for n in names]
    pitch = [i for i, n in enumerate(lowered) if n.startswith("f0") or "pitch" in n]
    loudness = [i for i, n in enumerate(lowered) if "loudness" in n or n.startswith("audspec_lengthl1norm")]
    chosen = [found[0] for found in (pitch, loudness) if found]
    return (chosen + [i for i in range(len(names)) if i not in chosen])[:2]


def figure_material(model, *, x, speakers, labels, sequence=None, utterance="", normalizer=None, lld_names=()) -> dict:
    """JSON-ready figure material of a trained model: the style ``z`` (:meth:`SemiSupervisedAAE.encode`; frame
    level: its mean over the utterance's evaluation crops) of the utterances ``x`` with their ``speakers`` and
    ``labels``; at the frame level the real and decoded ``sequence`` (each evaluation crop decoded, the crops
    stitched) for two :func:`reconstruction_llds`, in the original scale (``normalizer``)."""
    from serzoo.frames import evaluation_crops, utterance_posteriors

    crop = model.crop_frames
    if crop is None:
        style = model.encode(np.asarray(x, np.float32))
    else:
        style = utterance_posteriors(model.encode, list(x), crop)  # the mean of any per-crop output
    material = {
        "style": _rounded(np.asarray(style)),
        "style_dim": model.style_dim,
        "speakers": [str(s) for s in speakers],
        "labels": [int(k) for k in labels],
    }
    if sequence is not None:
        crops = np.asarray(evaluation_crops(np.asarray(sequence, np.float32)[None], crop))[0]
        decoded_crops = np.asarray(model(crops, training=False))
        length, total = len(sequence), max(len(sequence), crop)
        decoded = np.empty((total, decoded_crops.shape[-1]), np.float32)
        for i, crop_values in enumerate(decoded_crops):  # as evaluation_crops: the last crop ends with the utterance
            start = min(i * crop, total - crop)
            decoded[start : start + crop] = crop_values
        columns = reconstruction_llds(lld_names)
        real, decoded = (normalizer.inverse_transform(a)[:, columns].T for a in (sequence, decoded[:length]))
        material["reconstruction"] = {
            "utterance": utterance,
            "names": [lld_names[c] for c in columns],
            "real": _rounded(real),
            "decoded": _rounded(decoded),
        }
    return material


def figure_unit(methods, seeds, fractions, test_split: str) -> str | None:
    """The key of the unit the figures show (:data:`FIGURE_METHOD`, first seed, highest fraction), if run."""
    if FIGURE_METHOD not in methods:
        return None
    return f"seed{list(seeds)[0]}/frac{max(fractions):g}/{FIGURE_METHOD}/{test_split}"


def write_figures(result: dict, output_dir) -> list[str]:
    """Draw the figures of ``result["figures"]["unit"]`` into ``output_dir``; the PNG file names."""
    from serzoo import plots
    from serzoo.models.semi_aae import LOSS_PHASES

    key = (result.get("figures") or {}).get("unit")
    material = result["units"][key]["figures"] if key else None
    if material is None:
        return []
    out = pathlib.Path(output_dir)
    unit = result["units"][key]
    caption = f"{key}, best validation epoch {unit['best_epoch']}"
    names = [
        plots.style_tsne_png(
            material["style"],
            material["speakers"],
            material["labels"],
            result["class_names"],
            out / "style_tsne.png",
            style_dim=material["style_dim"],
            title=f"t-SNE of the style z, validation + test speakers ({caption})",
        ).name,
        plots.loss_curves_png(
            {key: material["losses"]},
            out / "loss_curves.png",
            labels=LOSS_PHASES,
            title="training loss of each phase per epoch",
        ).name,
    ]
    if "reconstruction" in material:
        reconstruction = material["reconstruction"]
        names.append(
            plots.reconstruction_png(
                reconstruction,
                out / "reconstruction.png",
                title=f"test utterance {reconstruction['utterance']}: real vs decoded ({caption})",
            ).name
        )
    return names


def run_semi_aae(
    corpus: Corpus,
    *,
    level: str = "utterance",
    methods=METHODS,
    seeds=(0,),
    fractions=(1.0,),
    epochs: int = 100,
    batch_size: int = 128,
    learning_rate: float = 1e-4,
    max_folds: int | None = None,
    held_out=None,
    output_dir=None,
    options: dict | None = None,
    progress: bool = True,
    log=print,
    jit_compile: bool = False,
    normalisation: str = "global",
) -> dict:
    """Every (seed, labelled fraction, method, fold) unit, resumable in ``output_dir``; a JSON-ready dict. With an
    ``output_dir``, the figures (:func:`write_figures`) are drawn there too, whether their unit ran or was reused.
    ``max_folds`` / ``held_out`` select folds (:func:`~serzoo.data.iter_folds`): processes running disjoint folds may
    share ``output_dir``."""
    from serzoo.experiments.resume import UnitStore
    from serzoo.models.semi_aae import hide_labels

    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    for method in methods:
        method_settings(method)
    settings = {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "level": level,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "options": options or {},
        "normalisation": normalisation,
    }
    store = UnitStore(output_dir, settings) if output_dir else None
    units, figure_key = {}, None
    for data in iter_folds(
        corpus,
        normalisation=normalisation,
        max_folds=max_folds,
        held_out=held_out,
        progress=progress,
        desc=f"semi-aae {level}",
    ):
        test_split = data.fold.test_splits[0]
        val_split = validation_split(corpus.splits, test_split)
        is_val = np.isin(data.train.speaker, np.unique(corpus.splits[val_split].speaker))
        x_train, x_val = data.x_train[~is_val], data.x_train[is_val]
        y_train, y_val = data.y_train[~is_val], data.y_train[is_val]
        if level == "frames":
            x_train, x_val, x_test = list(x_train), list(x_val), list(data.x_test)
        else:
            x_test = data.x_test
        if not units:  # the first fold
            figure_key = figure_unit(methods, seeds, fractions, test_split)
        for seed in seeds:
            for fraction in fractions:
                labels = hide_labels(y_train, fraction, corpus.n_classes, seed=seed).astype(np.int32)
                for method in methods:
                    key = f"seed{seed}/frac{fraction:g}/{method}/{test_split}"
                    unit = store.get(key) if store else None
                    figures = figure_inputs(corpus, data, is_val, level) if key == figure_key else None
                    if unit is None or (figures and "figures" not in unit):  # (a unit stored before figures)
                        unit = train_and_select(
                            method,
                            level,
                            (x_train, labels),
                            (x_val, y_val),
                            (x_test, None),
                            corpus.n_classes,
                            epochs=epochs,
                            batch_size=batch_size,
                            learning_rate=learning_rate,
                            seed=seed,
                            options=options,
                            jit_compile=jit_compile,
                            figures=figures,
                        )
                        unit.update(
                            y_true=data.y_test.tolist(), validation_split=val_split, n_labelled=int((labels >= 0).sum())
                        )
                        if store:
                            store.add(key, unit)
                        log(
                            f"{key}: validation UAR {unit['val_uar']:.3f} at epoch {unit['best_epoch']}, "
                            f"{unit['seconds']:.0f} s"
                        )
                    units[key] = unit
    result = {
        "settings": settings,
        "class_names": corpus.class_names,
        "methods": list(methods),
        "seeds": list(seeds),
        "fractions": list(fractions),
        "summary": summarise(units, corpus.n_classes),
        "units": units,
        "figures": {"unit": figure_key, "files": []},
    }
    if output_dir:
        result["figures"]["files"] = write_figures(result, output_dir)
    return result


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
        uars = {
            method: {
                seed: float(unweighted_average_recall(np.array(t), np.array(p), n_classes))
                for seed, (t, p) in sorted(by_seed.items())
            }
            for method, by_seed in by_method.items()
        }
        rows = {
            method: {"uar_by_seed": u, "mean": float(np.mean(list(u.values()))), "std": float(np.std(list(u.values())))}
            for method, u in uars.items()
        }
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
    lines = [
        f"# Semi-supervised AAE (ICASSP 2019 protocol) on {s['dataset']}, {s['level']} level",
        "",
        f"{len(result['seeds'])} run(s) (seeds {result['seeds']}), {s['epochs']} epochs, batch {s['batch_size']}, "
        f"Adam {s['learning_rate']:g}; best epoch on a held-out training speaker; UAR of the predictions "
        "pooled over all folds. p: one-tailed paired t-test of the AAE > base over the runs.",
        "",
        "| labelled | method | UAR % (mean ± std) | p vs base | per run |",
        "|---|---|---|---|---|",
    ]
    for fraction, rows in result["summary"].items():
        for method in result["methods"]:
            if method not in rows:
                continue
            row = rows[method]
            p = row.get("p_vs_base")
            per_run = ", ".join(f"{100 * v:.1f}" for v in row["uar_by_seed"].values())
            spread = f" ± {100 * row['std']:.2f}" if len(row["uar_by_seed"]) > 1 else " (one run: no spread)"
            lines.append(
                f"| {float(fraction):.0%} | {method} | {100 * row['mean']:.2f}{spread} | "
                f"{'–' if p is None else f'{p:.3f}'} | {per_run} |"
            )
    figures = result.get("figures") or {}
    if figures.get("files"):
        lines += [
            "",
            f"## Figures: `{figures['unit']}` (the optimised AAE at its best validation epoch)",
            "",
            "Style z of the fold's validation and test utterances: if style is separated from emotion, the "
            "points cluster by speaker (left) and not by emotion (right). Losses: each phase's loss per epoch "
            "(symlog axis). Frame level: one test utterance's pitch and loudness (original scale), real vs "
            "decoded.",
            "",
        ]
        lines += [f"![{name.removesuffix('.png')}]({name})" for name in figures["files"]]
    return "\n".join(lines) + "\n"
