"""What the searches' MMD values mean: the MMD of reference sets against each inner fold's real training data.

A `utility` search records, per trial, the MMD (Yi & Mak's kernel, :func:`serzoo.metrics.mmd_rbf`) between the
inner training data and one synthetic set as large. This script scores reference sets of the same size against the
same normalised data of a search's development speakers: the other half of the real rows (what real data scores),
every row at the data's mean (a generator collapsed to one point), every row a copy of one real row, and isotropic
Gaussian noise of unit and one-tenth variance. Mean over the inner folds; ``--best`` also retrains the search's
best setting on the first inner fold and describes one synthetic set (its spread, its distance from the data's mean,
its MMD):

    python benchmarks/mmd_reference_points.py --manual-dir $SERZOO_EMODB_DIR --best \\
        benchmarks/results/tune/aae_emodb_is11
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def reference_sets(x: np.ndarray, rng) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``name -> (real rows, reference rows)``; all but the first are scored against all of ``x``."""
    return {
        "real: one half against the other": (x[::2], x[1::2]),
        "every row at the data's mean": (x, np.repeat(x.mean(0, keepdims=True), len(x), 0)),
        "every row a copy of one real row": (x, np.repeat(x[:1], len(x), 0)),
        "Gaussian noise N(0, I)": (x, rng.standard_normal(x.shape)),
        "Gaussian noise N(0, 0.01 I)": (x, 0.1 * rng.standard_normal(x.shape)),
    }


def inner_folds(project: pathlib.Path, manual_dir: str | None, data_dir: str | None = None):
    from serzoo.data import load_corpus
    from serzoo.quiet import import_tensorflow_quietly
    from serzoo.tuning.objectives import InnerFolds

    import_tensorflow_quietly()
    results = json.loads((project / "results.json").read_text())
    corpus = load_corpus(results["dataset"], manual_dir=manual_dir, data_dir=data_dir)
    return InnerFolds(corpus.subset(results["protocol"]["development_groups"]), results["protocol"]["normalisation"])


def reference_mmds(folds) -> dict[str, float]:
    from serzoo.metrics import mmd_rbf

    rng = np.random.default_rng(0)
    per_fold = [
        {name: mmd_rbf(*pair) for name, pair in reference_sets(data.x_train, rng).items()} for data in folds.folds
    ]
    return {name: float(np.mean([fold[name] for fold in per_fold])) for name in per_fold[0]}


def describe_best(project: pathlib.Path, folds) -> dict[str, float]:
    """One synthetic set of the search's best setting, trained on the first inner fold as the search did."""
    from serzoo.augmenters import augmented_sets, tuned_augmenter
    from serzoo.hparams import load_tuned_setting
    from serzoo.metrics import mmd_rbf

    data = folds.folds[0]
    augmenter = tuned_augmenter(load_tuned_setting(project / "best_hparams.json"), seed=0)
    x, _ = augmented_sets(augmenter.fit(data.x_train, data.y_train, folds.n_classes), data.y_train, 1, seed=1000)
    centre = data.x_train.mean(0)
    return {
        "per-feature std, synthetic": float(x.std(0).mean()),
        "per-feature std, real": float(data.x_train.std(0).mean()),
        "mean distance from the data's mean, synthetic": float(np.linalg.norm(x - centre, axis=1).mean()),
        "mean distance from the data's mean, real": float(np.linalg.norm(data.x_train - centre, axis=1).mean()),
        "MMD, synthetic": mmd_rbf(data.x_train, x),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=pathlib.Path, help="a search's --output-dir (its results.json)")
    parser.add_argument("--manual-dir", help="the corpus copy, if its TFDS build is not there yet")
    parser.add_argument("--data-dir", help="TFDS data directory")
    parser.add_argument("--best", action="store_true", help="also describe the best setting's samples")
    args = parser.parse_args(argv)
    folds = inner_folds(args.project, args.manual_dir, args.data_dir)
    print("| reference set | MMD (mean over inner folds) |\n|---|---|")
    for name, value in reference_mmds(folds).items():
        print(f"| {name} | {value:.3f} |")
    if args.best:
        print(f"\nbest setting's samples, inner fold {folds.folds[0].fold.name}:")
        for name, value in describe_best(args.project, folds).items():
            print(f"  {name}: {value:.4g}")


if __name__ == "__main__":
    main()
