"""Within-corpus baselines: leave-one-speaker-out SVM and DNN per corpus, feature set, class set and normalisation.

The table every later experiment on these corpora is compared with. The classifiers keep the settings fixed before
the first EmoDB run (:mod:`serzoo.models.classifiers`: linear SVM C = 1; Yi & Mak's DNN, 100 epochs), so nothing is
chosen on the speakers it is measured on. The linear SVM is deterministic, so it runs once (the first seed); the DNN
runs every seed, and its figures are mean ± std over seeds of the UAR / WA of the predictions pooled over all folds.
"""

from __future__ import annotations

import itertools
import pathlib
from collections.abc import Sequence

from serzoo.experiments.classifier_grid import Cell, over_seeds, percent, pooled, run_cells

#: The grid of issue 30 on the three real corpora.
CORPORA = ("emodb", "ravdess", "emovo")
FEATURE_SETS = ("is10", "is11", "egemaps")
CLASS_SETS = ("all", "shared6")  # "all": each corpus's own classes


def dataset_spec(corpus: str, feature_set: str, classes: str) -> str:
    """``ravdess/is11+shared6`` (``classes="all"``: the corpus's own classes, no suffix)."""
    return f"{corpus}/{feature_set}" + ("" if classes == "all" else f"+{classes}")


def baseline_cells(
    corpora: Sequence[str] = CORPORA,
    feature_sets: Sequence[str] = FEATURE_SETS,
    class_sets: Sequence[str] = CLASS_SETS,
    normalisations: Sequence[str] = ("global", "speaker"),
    classifiers: Sequence[str] = ("svm", "dnn"),
    seeds: Sequence[int] = (0, 1, 2),
) -> list[Cell]:
    """Every (corpus, feature set, class set, normalisation, classifier, seed) cell; the SVM with the first seed."""
    cells = []
    for corpus, features, classes, normalisation, classifier in itertools.product(
        corpora, feature_sets, class_sets, normalisations, classifiers
    ):
        for seed in seeds[:1] if classifier == "svm" else seeds:
            spec = dataset_spec(corpus, features, classes)
            cells.append(Cell(spec, "leave-one-group-out", normalisation, classifier, seed))
    return cells


def summarise(results: dict[Cell, list[dict]]) -> list[dict]:
    """One row per (dataset, normalisation, classifier): pooled UAR / WA over seeds, and the fold-mean UAR."""
    groups: dict[tuple, list] = {}
    for cell, units in results.items():
        groups.setdefault((cell.spec, cell.normalisation, cell.classifier), []).append((cell.seed, pooled(units)))
    rows = []
    for (spec, normalisation, classifier), runs in groups.items():
        runs.sort()
        corpus, _, rest = spec.partition("/")
        features, _, classes = rest.partition("+")
        rows.append(
            {
                "dataset": spec,
                "corpus": corpus,
                "features": features,
                "classes": classes or "all",
                "normalisation": normalisation,
                "classifier": classifier,
                "seeds": [seed for seed, _ in runs],
                "folds": runs[0][1]["folds"],
                "n_test": int(sum(sum(row) for row in runs[0][1]["confusion"])),
                "uar": over_seeds([r["uar"] for _, r in runs]),
                "wa": over_seeds([r["wa"] for _, r in runs]),
                "fold_uar": over_seeds([r["fold_uar"] for _, r in runs]),
                "fold_uar_std": over_seeds([r["fold_uar_std"] for _, r in runs]),
            }
        )
    return rows


def run_baselines(cells: Sequence[Cell], **grid) -> dict:
    """Run ``cells`` (:func:`baseline_cells`) through :func:`~serzoo.experiments.classifier_grid.run_cells`
    (``grid``: its keyword arguments) and summarise them; JSON-ready."""
    results = run_cells(cells, **grid)
    return {
        "protocol": "leave-one-speaker-out within each corpus; UAR/WA of the predictions pooled over all folds",
        "classifier_options": grid.get("classifier_options") or {},
        "rows": summarise(results),
    }


def baselines_table(result: dict) -> str:
    """Markdown: one row per (corpus, features, classes, normalisation); SVM and DNN UAR / WA side by side."""
    rows = result["rows"]
    classifiers = list(dict.fromkeys(r["classifier"] for r in rows))
    header = "| corpus | features | classes | normalisation | folds | " + " | ".join(
        f"{c.upper()} UAR % | {c.upper()} WA %" for c in classifiers
    )
    lines = [header + " |", "|---|---|---|---|---|" + "---|---|" * len(classifiers)]
    keys = list(dict.fromkeys((r["corpus"], r["features"], r["classes"], r["normalisation"]) for r in rows))
    for key in keys:
        cells = []
        folds = ""
        for classifier in classifiers:
            match = [r for r in rows if (r["corpus"], r["features"], r["classes"], r["normalisation"]) == key]
            match = [r for r in match if r["classifier"] == classifier]
            if match:
                folds = match[0]["folds"]
                cells.append(f"{percent(match[0]['uar'])} | {percent(match[0]['wa'])}")
            else:
                cells.append("– | –")
        lines.append(f"| {' | '.join(key)} | {folds} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_report(result: dict, output_dir) -> str:
    """The UAR bar chart in ``output_dir``; returns the Markdown report."""
    from serzoo import plots

    figure = plots.baseline_bars_png(result["rows"], pathlib.Path(output_dir) / "baselines.png")
    seeds = sorted({s for r in result["rows"] if r["classifier"] != "svm" for s in r["seeds"]})
    return (
        "# Within-corpus baselines (leave one speaker out)\n\n"
        f"Protocol: {result['protocol']}. The linear SVM is deterministic and runs once; the DNN's figures are "
        f"mean ± std over seeds {seeds}. Classifier settings fixed a priori "
        f"(overrides: {result['classifier_options'] or 'none'}); `shared6`: the six classes the corpora share, the "
        "other classes' speech counted only in the normalisation statistics.\n\n"
        f"{baselines_table(result)}\n\n![UAR per corpus]({figure.name})\n"
    )
