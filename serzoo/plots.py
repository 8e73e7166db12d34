"""Figures of serzoo's reports (matplotlib, written as PNG)."""

from __future__ import annotations

import pathlib

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix_png(matrix, class_names, title: str, path) -> pathlib.Path:
    """Row-normalised confusion matrix (recall per true class) with counts in the cells."""
    plt = _pyplot()
    matrix = np.asarray(matrix, float)
    recall = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    image = ax.imshow(recall, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, int(count), ha="center", va="center",
                color="white" if recall[i, j] > 0.6 else "black", fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label="recall")
    fig.tight_layout()
    return _save(fig, path)


def fold_uar_png(results: list[dict], path, title: str = "UAR per held-out group") -> pathlib.Path:
    """Grouped bars: per-fold UAR of several evaluation results (one bar colour per result)."""
    plt = _pyplot()
    folds = [f["fold"] for f in results[0]["folds"]]
    width = 0.8 / len(results)
    fig, ax = plt.subplots(figsize=(max(6, len(folds) * 0.8), 3.8))
    for k, result in enumerate(results):
        uars = [100 * f["uar"] for f in result["folds"]]
        label = f"{result['classifier']} ({result['normalisation']}): {100 * result['overall']['uar']:.1f}"
        ax.bar(np.arange(len(folds)) + k * width, uars, width, label=label)
    ax.set_xticks(np.arange(len(folds)) + 0.4 - width / 2, folds, rotation=45, ha="right")
    ax.set_ylabel("UAR (%)")
    ax.set_ylim(0, 100)
    ax.axhline(100 / len(results[0]["class_names"]), color="grey", ls=":", label="chance")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def _save(fig, path) -> pathlib.Path:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path
