"""Frame-level generators whose contours move (issue 32): the frame-level semi-supervised AAE with the contour
terms of :mod:`serzoo.models.semi_aae`, measured as a generator and as a classifier, and its contours used as
augmentation at equal updates.

Protocol: the semi-supervised AAE experiment's (:func:`serzoo.experiments.semi_aae.train_and_select`) on the
leave-one-speaker-out folds of the chosen ``groups`` (the development speakers for an ablation, all speakers for
a full run): the speaker after the test speaker validates, the others train. One unit per (variant, seed, test
speaker):

1. the optimised frame-level AAE with the variant's options (:data:`VARIANTS`) trains for ``epochs``; its test
   predictions at the best validation epoch give the classifier's UAR (pooled over the folds);
2. the final model generates one crop for each training utterance, with its label; the contour measures
   (:func:`serzoo.quality.contour_quality`) compare them with one random crop of every training utterance
   (training speakers only, normalised scale), beside the real-vs-real reference of those crops
   (:func:`serzoo.quality.contour_reference`);
3. with ``augment``: the frame-level CNN (the encoder's network, supervised only) trains at equal updates on real
   crops and one generated crop per training utterance (k = 1, fixed in advance), against the same CNN on real
   crops alone (one ``base`` unit per seed and fold, same seed: paired); and, through utterance functionals
   (:mod:`serzoo.functionals`), a linear SVM and the DNN with constant updates on the real utterances' functionals
   with and without those of generated contours (each cut to the length of a real utterance of its class).

The first unit of each variant keeps figure material: a real and a generated contour of two classes for pitch,
energy and two MFCCs (:func:`contour_llds`), in the original scale.
"""

from __future__ import annotations

import numpy as np

from serzoo.data import Corpus, iter_folds
from serzoo.experiments import semi_aae
from serzoo.metrics import unweighted_average_recall

#: Each variant: builder/scheme options of ``build_semi_aae_frames`` and why it is tried (README, LITERATURE.md).
VARIANTS = {
    "paper": ({}, "ICASSP 2019 Table 2: MSE reconstruction only"),
    "variance": ({"variance_weight": 1.0}, "per-utterance global variance of each LLD (Toda & Tokuda 2007)"),
    "variance_delta": (
        {"variance_weight": 1.0, "delta_weight": 1.0},
        "global variance of the contour and of its first differences",
    ),
    "spectrum": ({"spectrum_weight": 1.0}, "modulation spectrum of each LLD (Takamichi et al. 2014/2015)"),
    "adversarial": ({"adversarial_weight": 1.0}, "conditional Conv1D sequence discriminator (Saito et al. 2018)"),
    "statistics": (
        {"contour_statistics": True, "statistics_weight": 1.0},
        "per-crop mean and std predicted apart from the normalised contour (FastSpeech 2)",
    ),
    "statistics_delta": (
        {"contour_statistics": True, "statistics_weight": 1.0, "delta_weight": 1.0},
        "statistics decoder + global variance of the first differences",
    ),
    "statistics_spectrum": (
        {"contour_statistics": True, "statistics_weight": 1.0, "spectrum_weight": 1.0},
        "statistics decoder + modulation spectrum",
    ),
    "statistics_adversarial": (
        {"contour_statistics": True, "statistics_weight": 1.0, "adversarial_weight": 1.0},
        "statistics decoder + sequence discriminator",
    ),
}
#: Synthetic crops per real training utterance in the augmentation arms (fixed before any run).
AUGMENT_K = 1
#: The measures of a unit's generator, as reported (key → column title).
MEASURES = {
    "gv_ratio": "GV ratio",
    "delta_spread_ratio": "Δ-spread ratio",
    "lag1_synthetic": "lag-1 r",
    "ms_distance": "MS dist. dB",
    "functionals_trts_uar": "TRTS %",
    "functionals_tstr_uar": "TSTR %",
    "functionals_mmd": "MMD",
}
#: Frames of each contour kept for the figure (3 s of 10 ms frames).
FIGURE_FRAMES = 300


def contour_llds(names) -> list[int]:
    """The columns of pitch (``F0final_sma``), energy (``pcm_RMSenergy_sma``) and MFCCs 1 and 2 among LLD
    ``names`` (ComParE 2016); the first other columns stand in for a missing one."""
    lowered = [n.lower() for n in names]
    wanted = (
        lambda n: n.startswith("f0"),
        lambda n: "rmsenergy" in n,
        lambda n: n.startswith("mfcc") and n.endswith("[1]"),
        lambda n: n.startswith("mfcc") and n.endswith("[2]"),
    )
    chosen = [next(i for i, n in enumerate(lowered) if test(n)) for test in wanted if any(map(test, lowered))]
    return (chosen + [i for i in range(len(names)) if i not in chosen])[:4]


def _settings(corpus, epochs, batch_size, learning_rate, augment, normalisation) -> dict:
    return {
        "dataset": f"{corpus.name}/{corpus.feature_set}",
        "groups": sorted(corpus.splits),
        "normalisation": normalisation,
        "epochs": epochs,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "augment_k": AUGMENT_K if augment else 0,
    }


def run_frame_generators(
    corpus: Corpus,
    *,
    variants=("paper",),
    seeds=(0,),
    epochs: int = 100,
    batch_size: int = 128,
    learning_rate: float = 1e-4,
    groups=None,
    held_out=None,
    max_folds: int | None = None,
    normalisation: str = "global",
    augment: bool = False,
    options: dict | None = None,
    output_dir=None,
    progress: bool = True,
    log=print,
) -> dict:
    """Every (variant, seed, fold) unit on the folds of ``groups`` (default: every group; ``held_out``: only those
    test groups; ``max_folds``: the first N), z-normalised as ``normalisation`` (:func:`~serzoo.data.iter_folds`),
    resumable in ``output_dir``; a JSON-ready dict (:func:`summarise`). ``options``: builder options of every
    model, under each variant's (e.g. tiny networks in tests)."""
    from serzoo.experiments.resume import UnitStore

    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variants {unknown}; choose from: {', '.join(VARIANTS)}")
    if groups:
        corpus = corpus.subset(groups)
    settings = {
        **_settings(corpus, epochs, batch_size, learning_rate, augment, normalisation),
        "options": options or {},
    }
    store = UnitStore(output_dir, settings) if output_dir else None
    training = {"epochs": epochs, "batch_size": batch_size, "learning_rate": learning_rate, "options": options or {}}
    units: dict = {}
    folds = iter_folds(
        corpus,
        normalisation=normalisation,
        max_folds=max_folds,
        held_out=held_out,
        progress=progress,
        desc="frame generators",
    )
    for data in folds:
        fold = _FoldSplit(corpus, data)
        for seed in seeds:
            if augment:
                key = f"base/seed{seed}/{fold.test_split}"
                units[key] = _stored(store, key) or _compute(store, key, _base_unit(fold, seed, training), log)
            for variant in variants:
                key = f"{variant}/seed{seed}/{fold.test_split}"
                figure = not any(k.startswith(f"{variant}/") for k in units)
                unit = _stored(store, key)
                if unit is None or unit.get("options") != _jsonable(VARIANTS[variant][0]):
                    unit = _compute(store, key, _variant_unit(fold, variant, seed, training, augment, figure), log)
                units[key] = unit
    return summarise(units, corpus, list(variants), list(seeds), augment)


def _jsonable(value):
    import json

    return json.loads(json.dumps(value))


def _stored(store, key):
    return store.get(key) if store else None


def _compute(store, key, unit, log):
    if store:
        store.add(key, unit)
    log(f"{key}: {unit.get('summary', '')}")
    return unit


class _FoldSplit:
    """A fold's training / validation / test utterances (lists of normalised ``[frames, LLDs]`` arrays)."""

    def __init__(self, corpus: Corpus, data):
        self.corpus, self.data = corpus, data
        self.test_split = data.fold.test_splits[0]
        val_split = semi_aae.validation_split(corpus.splits, self.test_split)
        is_val = np.isin(data.train.speaker, np.unique(corpus.splits[val_split].speaker))
        self.train = (list(data.x_train[~is_val]), data.y_train[~is_val].astype(np.int32))
        self.validation = (list(data.x_train[is_val]), data.y_train[is_val])
        self.test = (list(data.x_test), None)
        self.y_test = data.y_test.tolist()
        names = semi_aae._lld_names(corpus, data.normalizer.keep.size)
        self.lld_names = [n for n, kept in zip(names, data.normalizer.keep) if kept]

    @property
    def n_classes(self) -> int:
        return self.corpus.n_classes


def _train(fold: _FoldSplit, method: str, seed: int, training: dict, *, variant: dict | None = None, **kwargs) -> dict:
    """:func:`~serzoo.experiments.semi_aae.train_and_select` of ``method`` with ``training``'s settings and
    builder options, the ``variant``'s options over them."""
    options = {**training["options"], **(variant or {})}
    settings = {k: v for k, v in training.items() if k != "options"}
    return semi_aae.train_and_select(
        method,
        "frames",
        fold.train,
        fold.validation,
        fold.test,
        fold.n_classes,
        seed=seed,
        options=options,
        **settings,
        **kwargs,
    )


def _predictions(unit: dict) -> dict:
    return {"y_pred": unit["y_pred"], "best_epoch": unit["best_epoch"], "val_uar": unit["val_uar"]}


def _base_unit(fold: _FoldSplit, seed: int, training: dict) -> dict:
    """The real-only arms: the frame-level CNN on real crops, and the functionals classifiers on real utterances."""
    cnn = _train(fold, "base", seed, training)
    unit = {"cnn": _predictions(cnn), "y_true": fold.y_test, "functionals": _functional_arms(fold, None, seed)}
    unit["summary"] = f"base CNN validation UAR {cnn['val_uar']:.3f}"
    return unit


def _variant_unit(fold: _FoldSplit, variant: str, seed: int, training: dict, augment: bool, figure: bool) -> dict:
    options = VARIANTS[variant][0]

    def measure(model) -> dict:
        return _measure_generator(model, fold, seed, training, augment, figure)

    unit = _train(fold, "aae", seed, training, variant=options, after=measure)
    unit.update(options=_jsonable(options), y_true=fold.y_test)
    quality = unit["quality"]
    unit["summary"] = (
        f"validation UAR {unit['val_uar']:.3f} at epoch {unit['best_epoch']}; GV ratio {quality['gv_ratio']:.3f}, "
        f"Δ-spread ratio {quality['delta_spread_ratio']:.3f}, TRTS {quality['functionals_trts_uar']:.3f}; "
        f"{unit['seconds']:.0f} s"
    )
    return unit


def _measure_generator(model, fold: _FoldSplit, seed: int, training: dict, augment: bool, figure: bool) -> dict:
    """The trained model's contours against the training speakers' (and, with ``augment``, the augmented arms)."""
    from serzoo.frames import random_crops
    from serzoo.quality import MS_SEGMENT, contour_quality, contour_reference

    x_train, y_train = fold.train
    real = random_crops(x_train, model.crop_frames, np.random.default_rng(seed))
    generated = model.generate(y_train, seed=seed)
    segment = min(MS_SEGMENT, model.crop_frames)
    out = {
        "quality": _rounded_quality(
            contour_quality(real, y_train, generated, y_train, fold.n_classes, segment=segment)
        ),
        "reference": _rounded_quality(contour_reference(real, y_train, fold.n_classes, seed=seed, segment=segment)),
    }
    if figure:
        out["figure"] = _figure_material(fold, real, generated, y_train)
    if augment:
        pool = model.generate(np.tile(y_train, AUGMENT_K), seed=seed + 1)
        cnn = _train(fold, "base", seed, training, synthetic=(pool, np.tile(y_train, AUGMENT_K)))
        out["augmented"] = {"cnn": _predictions(cnn), "functionals": _functional_arms(fold, model, seed)}
    return out


def _functional_arms(fold: _FoldSplit, model, seed: int) -> dict:
    """Test predictions of a linear SVM and the DNN (constant updates) on utterance functionals of the real
    training utterances, plus (``model``) those of generated contours, one per training utterance (k =
    :data:`AUGMENT_K`), each cut to the length of a real training utterance of its class."""
    from serzoo.data import Normalizer
    from serzoo.functionals import functionals
    from serzoo.models.classifiers import make_classifier

    x_train, y_train = fold.train
    x_real, x_test = functionals(x_train), functionals(fold.test[0])
    x, y, synthetic = x_real, y_train, np.zeros(len(y_train), bool)
    if model is not None:
        labels = np.tile(y_train, AUGMENT_K)
        lengths = np.array([len(s) for s in x_train])
        rng = np.random.default_rng(seed + 2)
        cut = np.array([rng.choice(lengths[y_train == k]) for k in labels])
        contours = model.generate(labels, seed=seed + 3, frames=int(cut.max()))
        x_syn = functionals([c[:length] for c, length in zip(contours, cut)])
        x, y = np.concatenate([x_real, x_syn]), np.concatenate([y_train, labels])
        synthetic = np.concatenate([synthetic, np.ones(len(labels), bool)])
    normalizer = Normalizer("global").fit(x_real)
    arms = {}
    for name, options in (("svm", {}), ("dnn", {"constant_updates": True})):
        classifier = make_classifier(name, seed=seed, **options)
        classifier.fit(normalizer.transform(x), y, fold.n_classes, synthetic=synthetic)
        arms[name] = classifier.predict(normalizer.transform(x_test)).tolist()
    return arms


def _figure_material(fold: _FoldSplit, real, generated, labels) -> dict:
    """A real and a generated crop of two classes (anger and sadness when present), :func:`contour_llds`, in the
    original scale, first :data:`FIGURE_FRAMES` frames."""
    names = fold.corpus.class_names
    classes = [names.index(c) for c in ("anger", "sadness") if c in names][:2] or [0, 1]
    columns = contour_llds(fold.lld_names)
    inverse = fold.data.normalizer.inverse_transform
    material = {
        "names": [fold.lld_names[c] for c in columns],
        "classes": [names[k] for k in classes],
        "real": [],
        "generated": [],
    }
    for k in classes:
        row = int(np.flatnonzero(np.asarray(labels) == k)[0])
        for kind, crops in (("real", real), ("generated", generated)):
            material[kind].append(semi_aae._rounded(inverse(crops[row])[:FIGURE_FRAMES, columns].T))
    return material


def _rounded_quality(quality: dict) -> dict:
    """A contour-quality dict with 4 significant digits (``per_lld`` lists too)."""
    out = {k: float(f"{v:.4g}") for k, v in quality.items() if k != "per_lld"}
    out["per_lld"] = {k: [float(f"{x:.4g}") for x in v] for k, v in quality.get("per_lld", {}).items()}
    return out


# ----------------------------------------------------------------- summary and report
def _uar(rows, n_classes: int) -> float:
    """UAR of ``(y_true, y_pred)`` pairs pooled."""
    y_true = [t for true, _ in rows for t in true]
    return unweighted_average_recall(np.array(y_true), np.array([p for _, pred in rows for p in pred]), n_classes)


def summarise(units: dict, corpus: Corpus, variants, seeds, augment: bool) -> dict:
    """Per variant: the generator measures (mean ± std over units), the reference's, the AAE classifier's pooled
    test UAR per seed; with ``augment``, the pooled UAR of every arm and its gain over the real-only arm, with the
    folds up / down."""
    n = corpus.n_classes
    table = {}
    for variant in variants:
        rows = {k: u for k, u in units.items() if k.startswith(f"{variant}/")}
        if not rows:
            continue
        entry = {"units": len(rows), "why": VARIANTS[variant][1]}
        for source in ("quality", "reference"):
            entry[source] = {m: _mean_std([u[source][m] for u in rows.values() if m in u[source]]) for m in MEASURES}
        entry["classifier_uar"] = {
            seed: _uar([(u["y_true"], u["y_pred"]) for k, u in rows.items() if f"/seed{seed}/" in k], n)
            for seed in seeds
            if any(f"/seed{seed}/" in k for k in rows)
        }
        if augment:
            entry["augmentation"] = _augmentation_summary(units, rows, n)
        table[variant] = entry
    return {"class_names": corpus.class_names, "variants": variants, "seeds": seeds, "table": table, "units": units}


def _mean_std(values) -> dict:
    return {"mean": float(np.mean(values)), "std": float(np.std(values))} if values else {}


#: The augmentation arms: where a unit keeps each classifier's test predictions.
ARMS = {
    "cnn": lambda arm: arm["cnn"]["y_pred"],
    "svm": lambda arm: arm["functionals"]["svm"],
    "dnn": lambda arm: arm["functionals"]["dnn"],
}


def _augmentation_summary(units: dict, rows: dict, n_classes: int) -> dict:
    """Pooled UAR of each arm, real only and augmented (paired by seed and fold), and the folds up / down."""
    pairs = [(units[f"base/{key.split('/', 1)[1]}"], unit["augmented"], unit["y_true"]) for key, unit in rows.items()]
    out = {}
    for arm, pick in ARMS.items():
        real = [(y, pick(base)) for base, _, y in pairs]
        augmented = [(y, pick(aug)) for _, aug, y in pairs]
        per_fold = [_uar([a], n_classes) - _uar([r], n_classes) for r, a in zip(real, augmented)]
        out[arm] = {
            "real": _uar(real, n_classes),
            "augmented": _uar(augmented, n_classes),
            "up": int(sum(d > 1e-12 for d in per_fold)),
            "down": int(sum(d < -1e-12 for d in per_fold)),
        }
        out[arm]["gain"] = out[arm]["augmented"] - out[arm]["real"]
    return out


def render_report(result: dict, output_dir=None) -> str:
    """Markdown: the ablation table (each variant's generator measures and classifier UAR, the real-vs-real
    reference beside them), the augmentation table, and the contour figure (drawn into ``output_dir``)."""
    table = result["table"]
    header = "| variant | " + " | ".join(MEASURES.values()) + " | AAE UAR % | units |"
    lines = [
        "# Frame-level generators: contour realism and classifier UAR",
        "",
        "Generator measures on the training speakers of each fold (mean ± std over units; GV and Δ-spread: median "
        "over LLDs of synthetic / real; lag-1 r: median over LLDs of the generated contours' lag-1 "
        "autocorrelation; TRTS / TSTR / MMD on utterance functionals). AAE UAR: test predictions at the best "
        "validation epoch, pooled over folds (mean over seeds). *reference*: real vs real halves.",
        "",
        header,
        "|" + "---|" * (len(MEASURES) + 3),
    ]

    def cells(values: dict) -> str:
        out = []
        for m in MEASURES:
            v = values.get(m) or {}
            scale = 100 if m.endswith("_uar") else 1
            out.append(f"{scale * v['mean']:.3g} ± {scale * v['std']:.2g}" if v else "–")
        return " | ".join(out)

    for variant, entry in table.items():
        uar = np.mean(list(entry["classifier_uar"].values())) if entry["classifier_uar"] else float("nan")
        lines.append(f"| {variant} | {cells(entry['quality'])} | {100 * uar:.2f} | {entry['units']} |")
    if table:
        first = next(iter(table.values()))
        lines.append(f"| *reference (real vs real)* | {cells(first['reference'])} | – | – |")
    augmented = {v: e["augmentation"] for v, e in table.items() if "augmentation" in e}
    if augmented:
        lines += [
            "",
            f"## Augmentation at equal updates (k = {AUGMENT_K})",
            "",
            "| variant | classifier | real only UAR % | augmented UAR % | gain | folds up / down |",
            "|---|---|---|---|---|---|",
        ]
        for variant, arms in augmented.items():
            for arm, row in arms.items():
                lines.append(
                    f"| {variant} | {arm} | {100 * row['real']:.2f} | {100 * row['augmented']:.2f} | "
                    f"{100 * row['gain']:+.2f} | {row['up']} / {row['down']} |"
                )
    if output_dir is not None:
        figure = contour_figure(result, output_dir)
        if figure:
            lines += ["", f"![real vs generated contours]({figure})"]
    return "\n".join(lines) + "\n"


def contour_figure(result: dict, output_dir) -> str | None:
    """Draw real vs generated contours of every variant with figure material; the PNG's name."""
    import pathlib

    from serzoo import plots

    material = {key.split("/")[0]: unit["figure"] for key, unit in result["units"].items() if "figure" in unit}
    if not material:
        return None
    path = plots.contours_png(material, pathlib.Path(output_dir) / "contours.png")
    return path.name
