"""Cross-corpus low-resource protocol: train on corpus A (a fraction P of every speaker's data),
optionally add N synthetic samples from an augmenter fitted on that data, test on corpus B over the
classes the two corpora share.

Each corpus is z-normalised with its own statistics (source: the training subset; target: all of
its utterances, unlabelled), the usual cross-corpus practice; zero-variance features of the source
subset are dropped from both.

Reference: Sahu et al., IEEE TAC (IEMOCAP → MSP-IMPROV, P ∈ {10, 25, 50, 80, 100} %,
N ∈ {600, 2000, 6000}).
"""

from __future__ import annotations

import pathlib

import numpy as np

from serzoo.augmenters import make_augmenter
from serzoo.data import Corpus, Normalizer, SplitData
from serzoo.metrics import classification_summary
from serzoo.models.classifiers import make_classifier
from serzoo.schedules import schedule_keyword


def shared_classes(source: Corpus, target: Corpus) -> list[str]:
    """Class names present in both corpora, in the source's label order."""
    shared = [name for name in source.class_names if name in target.class_names]
    if len(shared) < 2:
        raise ValueError(f"{source.name} and {target.name} share fewer than two classes: {shared}")
    return shared


def _restrict(data: SplitData, class_names: list[str], shared: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the shared classes, labels renumbered to ``shared``'s order."""
    mapping = np.array([shared.index(name) if name in shared else -1 for name in class_names])
    labels = mapping[data.y]
    rows = labels >= 0
    return data.x[rows], labels[rows]


def subsample_speakers(data: SplitData, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Indices of a random ``fraction`` of every speaker's utterances (at least one each)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fractions must lie in (0, 1], got {fraction}")
    picked = []
    for speaker in np.unique(data.speaker):
        rows = np.flatnonzero(data.speaker == speaker)
        picked.append(rng.choice(rows, max(1, round(fraction * rows.size)), replace=False))
    return np.sort(np.concatenate(picked))


@schedule_keyword
def run_cross_corpus(
    source: Corpus,
    target: Corpus,
    *,
    fractions=(0.1, 0.25, 0.5, 0.8, 1.0),
    n_synthetic=(0, 600, 2000, 6000),
    method: str = "smote",
    classifier: str = "svm",
    seeds=(0,),
    schedule: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    progress: bool = True,
) -> dict:
    """UAR / WA on ``target`` for every (fraction P, synthetic count N, seed); JSON-ready. An adversarial
    ``method`` trains as ``schedule`` says (:mod:`serzoo.schedules`; ``epochs``/``learning_rate``/``batch_size``
    override it)."""
    from tqdm.auto import tqdm

    shared = shared_classes(source, target)
    source_all = source.select(list(source.splits))
    target_x, target_y = _restrict(target.select(list(target.splits)), target.class_names, shared)
    rows = []
    bar = tqdm(total=len(seeds) * len(fractions), desc=f"{source.name} → {target.name}", disable=not progress)
    for seed in seeds:
        for fraction in fractions:
            rng = np.random.default_rng([seed, round(1000 * fraction)])
            subset = subsample_speakers(source_all, fraction, rng)
            x_src, y_src = _restrict(
                SplitData(*(getattr(source_all, f)[subset] for f in ("x", "y", "speaker", "utterance_id"))),
                source.class_names,
                shared,
            )
            normalizer = Normalizer("global").fit(x_src)
            x_train = normalizer.transform(x_src)
            x_test = Normalizer("global", keep=normalizer.keep).fit_statistics(target_x).transform(target_x)
            augmenter = None
            for n in sorted(n_synthetic):
                x, y = x_train, y_src
                if n:
                    if augmenter is None:
                        augmenter = make_augmenter(
                            method,
                            seed=seed,
                            schedule=schedule,
                            epochs=epochs,
                            learning_rate=learning_rate,
                            batch_size=batch_size,
                        ).fit(x_train, y_src, len(shared))
                    labels = rng.choice(y_src, n)  # the source subset's label distribution
                    x, y = np.concatenate([x, augmenter.sample(labels, seed=seed)]), np.concatenate([y, labels])
                model = make_classifier(classifier, seed=seed).fit(x, y, len(shared))
                summary = classification_summary(target_y, model.predict(x_test), len(shared))
                rows.append(
                    {
                        "seed": seed,
                        "fraction": fraction,
                        "n_synthetic": n,
                        "n_real": int(y_src.size),
                        "uar": summary["uar"],
                        "wa": summary["wa"],
                        "confusion": summary["confusion"],
                    }
                )
            bar.update(1)
    bar.close()
    return {
        "source": f"{source.name}/{source.feature_set}",
        "target": f"{target.name}/{target.feature_set}",
        "classes": shared,
        "method": method,
        "classifier": classifier,
        "schedule": schedule,
        "rows": rows,
    }


def cross_corpus_table(result: dict) -> str:
    """Markdown: UAR % (mean ± std over seeds) per fraction P (rows) and synthetic count N (columns)."""
    ns = sorted({r["n_synthetic"] for r in result["rows"]})
    fractions = sorted({r["fraction"] for r in result["rows"]})
    lines = ["| P (% of source data) | " + " | ".join(f"N = {n}" for n in ns) + " |", "|---|" + "---|" * len(ns)]
    for p in fractions:
        cells = []
        for n in ns:
            uars = [100 * r["uar"] for r in result["rows"] if r["fraction"] == p and r["n_synthetic"] == n]
            cells.append(f"{np.mean(uars):.2f} ± {np.std(uars):.2f}")
        lines.append(f"| {100 * p:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_report(result: dict, output_dir, seeds) -> str:
    """The low-resource curves figure in ``output_dir``; returns the Markdown report."""
    from serzoo import plots

    figure = plots.cross_corpus_png(result, pathlib.Path(output_dir) / "cross_corpus.png")
    return (
        f"# {result['source']} → {result['target']}\n\nShared classes: {', '.join(result['classes'])}. "
        f"Augmentation: {result['method']} (schedule {result['schedule']}); classifier: {result['classifier']}; "
        f"UAR % on the whole target corpus, mean ± std over seeds {list(seeds)}.\n\n{cross_corpus_table(result)}"
        f"\n\n![curves]({figure.name})\n"
    )
