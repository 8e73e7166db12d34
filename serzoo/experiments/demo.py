"""The main job (``serzoo demo``): the whole serzoo path on one corpus, with a report.

corpus → openSMILE → TFDS → leave-one-speaker-out baselines → train a generator (ADAN by default)
on the training speakers → export it as a SavedModel → reload it in a fresh process and generate
→ classifiers with and without augmentation on held-out speakers → ``report.md`` + JSON + PNG.
By default it runs on the embedded synthetic corpus ``synth_emo`` so that it works on any machine.
"""

from __future__ import annotations

import contextlib
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

from serzoo import plots, report
from serzoo.data import Normalizer, load_corpus
from serzoo.experiments.loso import evaluate_classifier
from serzoo.experiments.train_export import train_and_export
from serzoo.export import read_manifest
from serzoo.metrics import classification_summary
from serzoo.models.classifiers import make_classifier
from serzoo.schedules import DEMO_BATCH, DEMO_EPOCHS, DEMO_LEARNING_RATE, schedule_keyword, training_for

DEMO_K = 5  # synthetic sets added to the training speakers, fixed in advance


#: Run by a new Python interpreter: loads an export with TensorFlow alone (no serzoo) and generates for the labels.
_FRESH_PROCESS_SAMPLER = """
import sys
import numpy as np
import tensorflow as tf
export_dir, labels_file, seed, out_file = sys.argv[1:]
generator = tf.saved_model.load(export_dir)
labels = tf.constant(np.load(labels_file).astype("int32"))
np.save(out_file, generator.generate(labels=labels, seed=tf.constant(int(seed), tf.int64))["features"].numpy())
"""


def _generate_in_fresh_process(export_path: pathlib.Path, labels: np.ndarray, seed: int) -> np.ndarray:
    """Load the SavedModel in a new Python process (TensorFlow only, no serzoo) and generate for ``labels``."""
    with tempfile.TemporaryDirectory() as tmp:
        labels_file, out_file = pathlib.Path(tmp, "labels.npy"), pathlib.Path(tmp, "features.npy")
        np.save(labels_file, labels)
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _FRESH_PROCESS_SAMPLER,
                str(pathlib.Path(export_path).resolve()),
                str(labels_file),
                str(seed),
                str(out_file),
            ],
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        if done.returncode != 0:
            raise RuntimeError(f"loading {export_path} in a fresh process failed:\n{done.stderr[-2000:]}")
        return np.load(out_file)


def _augmentation_experiment(
    corpus, scheme, schedule, epochs, learning_rate, batch_size, seed, held_out, export_root, out, log
) -> dict:
    train_splits = [s for s in corpus.splits if s not in held_out]
    training = training_for(scheme, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
    log(
        f"[3/5] training {scheme.upper()} on {len(train_splits)} training speakers ({training.describe()}), "
        f"exporting to {export_root}/"
    )
    start = time.perf_counter()
    path, augmenter, _ = train_and_export(
        corpus,
        scheme,
        train_splits=train_splits,
        schedule=schedule,
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=seed,
        root=export_root,
        name=f"demo_{scheme}_{corpus.name}_{corpus.feature_set}",
        overwrite=True,
    )
    train_seconds = time.perf_counter() - start
    train, test = corpus.select(train_splits), corpus.select(list(held_out))
    log(f"[4/5] reloading {path} in a fresh process and generating {DEMO_K} synthetic sets")
    labels = np.tile(train.y, DEMO_K)
    synthetic = _generate_in_fresh_process(path, labels, seed)
    normalizer = Normalizer("global").fit(train.x)  # the same statistics the generator was trained with
    x_train, x_test = normalizer.transform(train.x), normalizer.transform(test.x)
    x_syn = normalizer.transform(synthetic)
    rows = []
    for classifier in ("svm", "dnn"):
        for setting, (x, y) in {
            "real only": (x_train, train.y),
            f"real + {DEMO_K} × {scheme}": (np.concatenate([x_train, x_syn]), np.concatenate([train.y, labels])),
        }.items():
            model = make_classifier(classifier, seed=seed).fit(x, y, corpus.n_classes)
            summary = classification_summary(test.y, model.predict(x_test), corpus.n_classes)
            rows.append({"classifier": classifier, "setting": setting, "uar": summary["uar"], "wa": summary["wa"]})
            log(f"      {classifier:4s} {setting:18s} UAR {100 * summary['uar']:.2f} %  WA {100 * summary['wa']:.2f} %")
    plots.augmentation_bars_png(
        rows, out / "augmentation_uar.png", title=f"held-out {'+'.join(held_out)}: with vs without {scheme}"
    )
    plots.loss_curves_png({scheme: augmenter.history_}, out / "loss_curves.png", title=f"{scheme} training losses")
    n = train.y.size
    plots.tsne_png(
        {scheme: {"real": x_train, "real_labels": train.y, "synthetic": x_syn[:n], "synthetic_labels": labels[:n]}},
        corpus.class_names,
        out / "tsne.png",
    )
    return {
        "export": str(path),
        "held_out": list(held_out),
        "train_seconds": train_seconds,
        "k": DEMO_K,
        "rows": rows,
        "manifest_metrics": read_manifest(path)["metrics_at_export"],
    }


@schedule_keyword
def run_demo(
    dataset: str = "synth_emo/is11",
    *,
    output_dir="serzoo_demo_report",
    data_dir=None,
    manual_dir=None,
    classifiers=("svm", "dnn"),
    normalisation: str = "global",
    max_folds: int | None = None,
    seed: int = 0,
    scheme: str = "adan",
    schedule: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    export_root=None,
    log=print,
) -> dict:
    """Run the pipeline and write ``report.md``, ``results.json`` and PNG figures to ``output_dir``.

    The generator trains as ``schedule`` says (:mod:`serzoo.schedules`); under ``serzoo`` with Adam
    :data:`~serzoo.schedules.DEMO_LEARNING_RATE`, :data:`~serzoo.schedules.DEMO_EPOCHS` epochs of batch
    :data:`~serzoo.schedules.DEMO_BATCH` (see there why). ``epochs``/``learning_rate``/``batch_size`` override it.
    If a step fails or is interrupted, the report of the finished steps is written with a note saying at
    which step and why it stopped (``results.json``: ``stopped``), and the error is raised again. The generator is
    exported into ``export_root`` (default ``output_dir/exported``).
    """
    if schedule == "serzoo":  # the demo's own schedule on the small synthetic corpus (see DEMO_LEARNING_RATE)
        learning_rate = DEMO_LEARNING_RATE if learning_rate is None else learning_rate
        epochs, batch_size = epochs or DEMO_EPOCHS, batch_size or DEMO_BATCH
    training = training_for(scheme, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
    out = pathlib.Path(output_dir)
    export_root = out / "exported" if export_root is None else export_root  # never the shipped presets' folder
    start = time.perf_counter()
    summary = {"dataset": dataset, "schedule": schedule, "training": training.describe()}
    sections = [f"# serzoo demo: {dataset}\n"]
    step = {"name": ""}

    def log_step(message: str) -> None:
        if message.startswith("["):  # "[3/5] training ...": the step now running
            step["name"] = message
        log(message)

    try:
        _demo_steps(
            dataset,
            data_dir=data_dir,
            manual_dir=manual_dir,
            classifiers=classifiers,
            normalisation=normalisation,
            max_folds=max_folds,
            seed=seed,
            scheme=scheme,
            schedule=schedule,
            epochs=epochs,
            learning_rate=learning_rate,
            batch_size=batch_size,
            export_root=export_root,
            out=out,
            log=log_step,
            summary=summary,
            sections=sections,
            start=start,
        )
    except BaseException as err:
        reason = "interrupted" if isinstance(err, KeyboardInterrupt) else f"{type(err).__name__}: {err}"
        summary["stopped"] = {"step": step["name"], "reason": reason, "seconds": time.perf_counter() - start}
        sections.insert(
            1,
            f'> **Stopped: this report is incomplete.** The demo stopped at step "{step["name"]}" '
            f"({reason}). Only the sections below were finished.\n",
        )
        with contextlib.suppress(OSError):  # an unwritable output dir must not hide the reason
            report.write_report(out, "\n".join(sections), summary)
        raise
    return summary


def _demo_steps(
    dataset,
    *,
    data_dir,
    manual_dir,
    classifiers,
    normalisation,
    max_folds,
    seed,
    scheme,
    schedule,
    epochs,
    learning_rate,
    batch_size,
    export_root,
    out,
    log,
    summary,
    sections,
    start,
) -> None:
    """The demo's steps; each finished part is added to ``summary`` and ``sections`` (the report) at once."""
    log(f"[1/5] preparing {dataset} (openSMILE features cached in a TFDS dataset)")
    corpus = load_corpus(dataset, data_dir=data_dir, manual_dir=manual_dir)
    counts = {name: int(split.y.size) for name, split in corpus.splits.items()}
    summary["split_counts"] = counts
    log(f"      {sum(counts.values())} utterances in {len(counts)} group splits")
    if dataset.startswith("synth_emo"):
        sections.append(
            "> synth_emo is a SYNTHETIC corpus generated by serzoo so the pipeline runs anywhere; "
            "its numbers say nothing about real emotional speech.\n"
        )
    intro = len(sections)
    sections.append(
        f"{sum(counts.values())} utterances, {len(counts)} speakers, classes: "
        f"{', '.join(corpus.class_names)}. Seed {seed}.\n"
    )
    results = summary["results"] = []
    for k, classifier in enumerate(classifiers, start=1):
        log(f"[2/5] leave-one-speaker-out baseline, classifier {classifier} ({k}/{len(classifiers)})")
        result = evaluate_classifier(corpus, classifier, normalisation=normalisation, seed=seed, max_folds=max_folds)
        results.append(result)
        log(f"      UAR {100 * result['overall']['uar']:.2f} %  WA {100 * result['overall']['wa']:.2f} %")
        plots.confusion_matrix_png(
            result["overall"]["confusion"],
            corpus.class_names,
            f"{dataset} {classifier} ({normalisation} z-norm), pooled over folds",
            out / f"confusion_{classifier}.png",
        )
    plots.fold_uar_png(results, out / "fold_uar.png", title=f"{dataset}: UAR per held-out speaker")
    sections += [
        "## Leave-one-speaker-out baselines\n",
        f"Features normalised on the training fold ({normalisation}).\n",
        report.results_table(results),
        "\n![UAR per fold](fold_uar.png)\n",
        *(f"![confusion {c}](confusion_{c}.png)" for c in classifiers),
    ]
    held_out = tuple(list(corpus.splits)[-2:])
    augmentation = _augmentation_experiment(
        corpus, scheme, schedule, epochs, learning_rate, batch_size, seed, held_out, export_root, out, log
    )
    log(f"[5/5] writing the report to {out}/")
    summary["augmentation"] = augmentation
    summary["seconds"] = time.perf_counter() - start
    aug_rows = "\n".join(
        f"| {r['classifier']} | {r['setting']} | {100 * r['uar']:.2f} | {100 * r['wa']:.2f} |"
        for r in augmentation["rows"]
    )
    metrics = augmentation["manifest_metrics"]
    sections[intro] = sections[intro].rstrip("\n") + f" Run time {summary['seconds']:.0f} s.\n"
    sections += [
        f"\n## Augmentation with an exported {scheme.upper()} generator\n",
        f"{scheme.upper()} trained on the speakers other than {', '.join(held_out)} ({summary['training']}, "
        f"schedule {schedule}, "
        f"{augmentation['train_seconds']:.0f} s), exported to `{augmentation['export']}`, reloaded in a fresh "
        f"process (TensorFlow only), {DEMO_K} synthetic sets added to the training data. Test: {', '.join(held_out)}. "
        f"Generator quality on the training speakers at export: MMD {metrics['mmd']:.4f}, TRTS UAR "
        f"{100 * metrics['trts_uar']:.1f} % (SVM trained on real, tested on synthetic), TSTR UAR "
        f"{100 * metrics['tstr_uar']:.1f} % (trained on synthetic, tested on real).\n",
        "| classifier | training data | UAR % | WA % |",
        "|---|---|---|---|",
        aug_rows,
        "\n![with vs without augmentation](augmentation_uar.png)\n",
        "![losses](loss_curves.png)\n",
        "![t-SNE real vs synthetic](tsne.png)\n",
    ]
    report.write_report(out, "\n".join(sections), summary)
