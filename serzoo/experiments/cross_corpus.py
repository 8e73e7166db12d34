"""Cross-corpus protocols on a multi-corpus dataset (``emodb+ravdess+emovo/is11+shared6``).

The corpus matrix: train on every speaker of corpus A, test on every speaker of corpus B, for every ordered pair
(``corpus-pairs``), with the diagonal from leave-one-speaker-out inside each corpus (``within-corpus``); plus
leave-one-corpus-out (train on the others, test on the held-out corpus). Normalisation (:mod:`serzoo.normalisation`)
is the main lever cross-corpus: ``global`` uses the training corpus's statistics for the target too, ``speaker`` and
``corpus`` normalise each speaker / corpus with its own (unlabelled) statistics (Schuller et al., IEEE TAC 2010).

The low-resource variant (Sahu et al., IEEE TAC: IEMOCAP → MSP-IMPROV with P ∈ {10, 25, 50, 80, 100} % of the source
and N ∈ {600, 2000, 6000} synthetic samples): ``fractions`` of each training speaker's utterances and ``n_synthetic``
rows of an augmentation ``method`` fitted on them.
"""

from __future__ import annotations

import itertools
import pathlib
from collections.abc import Sequence

import numpy as np

from serzoo.experiments.classifier_grid import Cell, over_seeds, percent, pooled, run_cells

#: The fold schemes of the matrix, in report order.
SCHEMES = ("within-corpus", "corpus-pairs", "leave-one-corpus-out")
#: The row of leave-one-corpus-out results in the matrix (trained on every corpus but the column's).
OTHERS = "others"


def matrix_cells(
    spec: str,
    *,
    fold_schemes: Sequence[str] = SCHEMES,
    normalisations: Sequence[str] = ("global", "speaker", "corpus"),
    classifiers: Sequence[str] = ("svm", "dnn"),
    seeds: Sequence[int] = (0, 1, 2),
    fractions: Sequence[float] = (1.0,),
    n_synthetic: Sequence[int] = (0,),
    method: str = "smote",
) -> list[Cell]:
    """Every cell of the matrix; the deterministic linear SVM runs with the first seed only (unless it is given
    subsampled or synthetic data, which the seed draws)."""
    cells = []
    for scheme, normalisation, classifier, fraction, n in itertools.product(
        fold_schemes, normalisations, classifiers, fractions, sorted(n_synthetic)
    ):
        random = fraction < 1 or n > 0
        for seed in seeds if classifier != "svm" or random else seeds[:1]:
            augmentation = {"method": method, "n_synthetic": n} if n else {}
            cells.append(Cell(spec, scheme, normalisation, classifier, seed, fraction, **augmentation))
    return cells


def _training_corpus(cell: Cell, fold: str, test_corpus: str) -> str:
    if cell.fold_scheme == "within-corpus":
        return test_corpus
    if cell.fold_scheme == "corpus-pairs":
        return fold.split("->")[0]
    return OTHERS


def summarise(results: dict[Cell, list[dict]]) -> list[dict]:
    """One row per (train, test, normalisation, classifier, fraction, augmentation): UAR / WA pooled over the test
    corpus's predictions (within-corpus: over its leave-one-speaker-out folds), mean ± std over seeds."""
    groups: dict[tuple, list] = {}
    for cell, units in results.items():
        by_pair: dict[tuple, list] = {}
        for unit in units:
            pair = (_training_corpus(cell, unit["fold"], unit["test_corpus"]), unit["test_corpus"])
            by_pair.setdefault(pair, []).append(unit)
        for (train, test), pair_units in by_pair.items():
            key = (train, test, cell.normalisation, cell.classifier, cell.fraction, cell.method, cell.n_synthetic)
            summary = pooled(pair_units)
            groups.setdefault(key, []).append((cell.seed, summary, pair_units[0]["n_real"]))
    rows = []
    for (train, test, normalisation, classifier, fraction, method, n), runs in groups.items():
        runs.sort(key=lambda run: run[0])
        rows.append(
            {
                "train": train,
                "test": test,
                "normalisation": normalisation,
                "classifier": classifier,
                "fraction": fraction,
                "method": method,
                "n_synthetic": n,
                "seeds": [seed for seed, _, _ in runs],
                "n_real": runs[0][2],
                "uar": over_seeds([s["uar"] for _, s, _ in runs]),
                "wa": over_seeds([s["wa"] for _, s, _ in runs]),
                "confusion": runs[0][1]["confusion"],
            }
        )
    return rows


def run_matrix(cells: Sequence[Cell], **grid) -> dict:
    """Run ``cells`` (:func:`matrix_cells`) through :func:`~serzoo.experiments.classifier_grid.run_cells`
    (``grid``: its keyword arguments) and summarise them; JSON-ready."""
    from serzoo.data import load_corpus

    corpus = load_corpus(cells[0].spec, data_dir=grid.get("data_dir"), manual_dir=grid.get("manual_dir"))
    results = run_cells(cells, **grid)
    return {
        "dataset": cells[0].spec,
        "corpora": list(corpus.corpus_splits()),
        "classes": corpus.class_names,
        "classifier_options": grid.get("classifier_options") or {},
        "rows": summarise(results),
    }


def _panels(rows: list[dict]) -> dict[str, dict]:
    """{"dnn, corpus norm.": {(train, test): UAR %}} of the full-data, real-only rows."""
    panels: dict[str, dict] = {}
    for row in rows:
        if row["fraction"] == 1 and row["n_synthetic"] == 0:
            name = f"{row['classifier']}, {row['normalisation']} norm."
            panels.setdefault(name, {})[row["train"], row["test"]] = 100 * row["uar"]["mean"]
    return panels


def matrix_table(result: dict, classifier: str, normalisation: str) -> str:
    """Markdown: UAR % (mean ± std over seeds), rows = training corpus (``others`` = leave-one-corpus-out)."""
    corpora = result["corpora"]
    found = {
        (r["train"], r["test"]): r
        for r in result["rows"]
        if (r["classifier"], r["normalisation"]) == (classifier, normalisation)
        and r["fraction"] == 1
        and r["n_synthetic"] == 0
    }
    lines = ["| train ↓ test → | " + " | ".join(corpora) + " |", "|---|" + "---|" * len(corpora)]
    for train in [*corpora, OTHERS]:
        if not any((train, test) in found for test in corpora):
            continue
        cells = [percent(found[train, test]["uar"]) if (train, test) in found else "–" for test in corpora]
        lines.append(f"| {train} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def low_resource_table(result: dict, train: str, test: str, classifier: str, normalisation: str) -> str:
    """Markdown: UAR % on ``test`` per fraction P of ``train`` (rows) and synthetic count N (columns)."""
    rows = [
        r
        for r in result["rows"]
        if (r["train"], r["test"], r["classifier"], r["normalisation"]) == (train, test, classifier, normalisation)
    ]
    ns = sorted({r["n_synthetic"] for r in rows})
    lines = ["| P (% of source data) | " + " | ".join(f"N = {n}" for n in ns) + " |", "|---|" + "---|" * len(ns)]
    for fraction in sorted({r["fraction"] for r in rows}):
        cells = [
            next((percent(r["uar"]) for r in rows if r["fraction"] == fraction and r["n_synthetic"] == n), "–")
            for n in ns
        ]
        lines.append(f"| {100 * fraction:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_report(result: dict, output_dir) -> str:
    """Heatmaps of the matrices in ``output_dir``; returns the Markdown report."""
    from serzoo import plots

    rows = result["rows"]
    panels = _panels(rows)
    parts = [
        f"# Cross-corpus matrix: {result['dataset']}\n",
        f"Classes: {', '.join(result['classes'])}. UAR % of the predictions pooled over the test corpus (the "
        "diagonal: leave one speaker out inside the corpus; `others`: leave-one-corpus-out), mean ± std over "
        "seeds (the linear SVM on full data is deterministic: one run).\n",
    ]
    if panels:
        figure = plots.cross_corpus_heatmap_png(panels, result["corpora"], pathlib.Path(output_dir) / "matrix.png")
        parts.append(f"![cross-corpus matrix]({figure.name})\n")
    for classifier, normalisation in dict.fromkeys((r["classifier"], r["normalisation"]) for r in rows):
        parts += [f"## {classifier}, {normalisation} normalisation\n", matrix_table(result, classifier, normalisation)]
        parts.append("")
    low = sorted({(r["train"], r["test"]) for r in rows if r["fraction"] < 1 or r["n_synthetic"] > 0})
    for train, test in low:
        for classifier, normalisation in dict.fromkeys((r["classifier"], r["normalisation"]) for r in rows):
            parts += [
                f"## Low resource {train} → {test} ({classifier}, {normalisation} normalisation)\n",
                low_resource_table(result, train, test, classifier, normalisation),
                "",
            ]
    return "\n".join(parts) + "\n"


def off_diagonal_mean(result: dict, classifier: str, normalisation: str) -> float:
    """Mean UAR over the ordered corpus pairs (full data, real only): one number per setting for the README."""
    values = [
        r["uar"]["mean"]
        for r in result["rows"]
        if (r["classifier"], r["normalisation"]) == (classifier, normalisation)
        and r["train"] not in (r["test"], OTHERS)
        and r["fraction"] == 1
        and r["n_synthetic"] == 0
    ]
    return float(np.mean(values)) if values else float("nan")
