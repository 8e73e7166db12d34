"""Adapt to a user's own unlabelled speech: a classifier trained on labelled source corpora and the user's WAVs.

:func:`adapt` extracts the source's openSMILE feature set from every WAV under the user's folder (cached; a bad file
stops it with the file named, or is skipped and listed), z-normalises every source corpus and the user's speech each
with its own statistics (no labels needed), trains the method (``dann``: the domain-adversarial network, source
labelled and the user's speech unlabelled; ``dnn``: the source alone, its supervised twin) and exports a SavedModel
classifier whose ``classify`` signature takes the features in openSMILE's scale (the user's normalisation runs
inside the graph). It writes the predictions for every file and a report. ``dnn`` is the default: on every ordered
pair of EmoDB, RAVDESS and EMOVO the DANN lost 4-14 UAR points to it (``docs/regimes.md``); the per-corpus
normalisation is what transfers. A finished adaptation with the same
settings is reused (``overwrite`` trains again).

Example:
    >>> result = adapt("emodb+ravdess+emovo/egemaps+shared6", "my_wavs/", "adapted/")      # doctest: +SKIP
    >>> result["export"]                                                                     # doctest: +SKIP
    'adapted/classifier'
"""

from __future__ import annotations

import csv
import json
import pathlib
import time

import numpy as np

METHODS = ("dann", "dnn")
TARGET = "target"  # the group name of the user's speech in the normalisation
EXPORT_FOLDER, PREDICTIONS = "classifier", "predictions.csv"


def target_wavs(folder) -> list[pathlib.Path]:
    """Every ``.wav`` (any case) under ``folder``, in path order.

    Raises:
        FileNotFoundError: the folder does not exist or holds no WAV file.
    """
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"target folder {folder} does not exist; pass the folder holding your WAV files")
    wavs = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".wav")
    if not wavs:
        raise FileNotFoundError(f"no .wav file under {folder}; adapt reads WAV files (16-bit PCM or float, any rate)")
    return wavs


def _normaliser(source_speech, source_corpora, target_x):
    """A ``corpus`` normaliser: kept features of the source's speech, each source corpus and the target with its own
    statistics."""
    from serzoo.normalisation import Normalizer

    normalizer = Normalizer("corpus").fit(source_speech)
    groups = np.r_[source_corpora, np.full(len(target_x), TARGET)]
    return normalizer.fit_groups(np.concatenate([source_speech, target_x]), groups)


def _target_normaliser(normalizer, target_x):
    """The ``global`` normaliser of the target alone (its statistics, the source's kept features), for the export."""
    from serzoo.normalisation import Normalizer

    return Normalizer("global", keep=normalizer.keep).fit_statistics(target_x)


def _train(method: str, x, y, n_classes, domains, x_target, n_domains, seed, options):
    if method == "dnn":
        from serzoo.models.classifiers import make_classifier

        return make_classifier("dnn", seed=seed, **options).fit(x, y, n_classes)
    from serzoo.models.domain_adversarial import DannClassifier

    return DannClassifier(seed=seed, **options).fit(
        x,
        y,
        n_classes,
        domains=domains,
        x_unlabelled=x_target,
        domains_unlabelled=np.full(len(x_target), n_domains - 1, np.int32),
    )


def adapt(
    source: str,
    target_dir,
    output_dir,
    *,
    method: str = "dnn",
    manual_dir=None,
    data_dir=None,
    seed: int = 0,
    skip_bad_audio: bool = False,
    overwrite: bool = False,
    options: dict | None = None,
    progress: bool = True,
) -> dict:
    """Train ``method`` on the labelled ``source`` dataset spec and the WAVs under ``target_dir``; export the
    classifier to ``output_dir/classifier`` and write ``predictions.csv``, ``report.md`` and ``results.json``.

    Args:
        source: a dataset spec (:func:`serzoo.data.load_corpus`), e.g. ``"emodb+ravdess+emovo/egemaps+shared6"``;
            its classes are the classifier's.
        options: the classifier's field overrides (:class:`~serzoo.models.domain_adversarial.DannClassifier` or
            :class:`~serzoo.models.classifiers.DnnClassifier`), e.g. ``{"epochs": 50}``.

    Returns:
        JSON-ready: settings, counts, skipped files, predicted class shares, timings and the export's path.
    """
    from serzoo import features, report
    from serzoo.data import load_corpus
    from serzoo.export import MANIFEST, export_keras_classifier

    if method not in METHODS:
        raise ValueError(f"unknown adaptation method {method!r}; choose one of: {', '.join(METHODS)}")
    out = pathlib.Path(output_dir)
    wavs = target_wavs(target_dir)
    options = dict(options or {})
    settings = {
        "source": source,
        "target_dir": str(pathlib.Path(target_dir).resolve()),
        "method": method,
        "seed": seed,
        "options": options,
        "skip_bad_audio": skip_bad_audio,
    }
    export = out / EXPORT_FOLDER
    if export.exists() and not overwrite:
        manifest = json.loads((export / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("adaptation") != settings:
            raise FileExistsError(
                f"{export} holds another adaptation ({manifest.get('adaptation')}); pass overwrite=True "
                "(--overwrite) to replace it, or another --output-dir"
            )
        return json.loads((out / "results.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    corpus = load_corpus(source, data_dir=data_dir, manual_dir=manual_dir)
    extracted = features.extract_many(
        wavs,
        corpus.opensmile_set,
        on_error="skip" if skip_bad_audio else "raise",
        cache_dir=features.default_cache_dir(),
        progress=progress,
    )
    if not extracted.features:
        raise ValueError(f"every WAV under {target_dir} was skipped as bad audio; nothing to adapt to")
    target_x = extracted.stacked()
    labelled = corpus.select(list(corpus.splits))
    speech = corpus.speech(list(corpus.splits))
    corpora = list(corpus.corpus_splits())
    normalizer = _normaliser(speech.x, speech.corpus, target_x)
    x = normalizer.transform(labelled.x, labelled.corpus)
    x_target = normalizer.transform(target_x, np.full(len(target_x), TARGET))
    domains = np.array([corpora.index(c) for c in labelled.corpus], np.int32)
    trained_at = time.perf_counter()
    model = _train(method, x, labelled.y, corpus.n_classes, domains, x_target, len(corpora) + 1, seed, options)
    seconds_training = time.perf_counter() - trained_at
    probabilities = model.predict_proba(x_target)
    manifest = {
        "adaptation": settings,
        "dataset": source,
        "feature_set": corpus.opensmile_set,
        "class_names": corpus.class_names,
        "target_files": len(extracted.paths),
        "normalisation": "the target's own statistics (z-norm per feature, computed over its files)",
    }
    export_keras_classifier(
        model.model_, _target_normaliser(normalizer, target_x), export, manifest=manifest, overwrite=overwrite
    )
    out.mkdir(parents=True, exist_ok=True)
    with (out / PREDICTIONS).open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["file", "predicted", *corpus.class_names])
        for path, row in zip(extracted.paths, probabilities):
            writer.writerow([str(path), corpus.class_names[int(row.argmax())], *(f"{p:.4f}" for p in row)])
    shares = np.bincount(probabilities.argmax(1), minlength=corpus.n_classes) / len(probabilities)
    result = {
        **settings,
        "export": str(export),
        "classes": corpus.class_names,
        "source_utterances": int(labelled.y.size),
        "source_corpora": corpora,
        "target_files": len(extracted.paths),
        "skipped": [{"file": str(p), "problem": problem} for p, problem in extracted.skipped],
        "predicted_shares": {name: float(s) for name, s in zip(corpus.class_names, shares)},
        "seconds": {"total": time.perf_counter() - start, "training": seconds_training},
    }
    report.write_report(out, render_report(result), result)
    return result


def render_report(result: dict) -> str:
    """The Markdown report of an adaptation."""
    shares = " | ".join(f"{100 * s:.1f}" for s in result["predicted_shares"].values())
    skipped = "".join(f"\n- `{s['file']}`: {s['problem']}" for s in result["skipped"]) or " none."
    return (
        f"# Adaptation to {result['target_dir']}\n\n"
        f"Source: `{result['source']}` ({result['source_utterances']} labelled utterances of "
        f"{', '.join(result['source_corpora'])}); target: {result['target_files']} WAV files without labels. Method: "
        f"`{result['method']}` (seed {result['seed']}, options {result['options'] or 'default'}); every corpus and the "
        f"target z-normalised with its own statistics. Training took {result['seconds']['training']:.0f} s "
        f"({result['seconds']['total']:.0f} s in all).\n\n"
        f"Exported classifier: `{result['export']}` (`tf.saved_model.load(path).classify(features=...)` with the "
        "target's openSMILE features in their original scale → `probabilities`). Predictions per file: "
        f"`{PREDICTIONS}`.\n\n"
        f"Predicted class shares on the target (%):\n\n| {' | '.join(result['classes'])} |\n"
        f"|{'---|' * len(result['classes'])}\n| {shares} |\n\n"
        f"Skipped files:{skipped}\n\n"
        "The predictions are not checked against labels (the target has none): measure the method on corpora you "
        "hold labels for first (`serzoo regimes unseen-corpus`, docs/regimes.md).\n"
    )
