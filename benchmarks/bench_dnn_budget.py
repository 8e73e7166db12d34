"""Diagnostic: how much of an augmentation "gain" is only more DNN training? The unaugmented DNN at more epochs.

Yi & Mak's recipe trains the DNN for a fixed number of epochs over real + k synthetic sets, so k = 10 makes 11 x the
optimizer updates of k = 0. This trains the unaugmented DNN for ``--epochs`` (e.g. 100 = the default, 1100 = the
updates of k = 10, a value fixed by the recipe, not by results) on EmoDB's ten leave-one-speaker-out folds and
reports the pooled UAR per seed; that all-fold table is post hoc, a diagnostic.

    nice python benchmarks/bench_dnn_budget.py --manual-dir $SERZOO_EMODB_DIR --epochs 100,1100 --seeds 0 \\
        --output benchmarks/results/dnn_budget_emodb_is11.json

It also chooses the epochs for each EmoDB speaker half on the other half's folds only (swap halves: no fold's
epochs are chosen on its own speaker) and, with ``--write-choice DIR``, writes each choice as a
``best_classifier.json`` for ``serzoo reproduce --protocol swap-halves --classifier-hparams``.
"""

import argparse
import json
import pathlib
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manual-dir", required=True)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--epochs", default="100,1100")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--output", required=True, help="JSON file; finished (epochs, seed) rows are kept and reused")
    parser.add_argument(
        "--write-choice",
        default=None,
        metavar="DIR",
        help="write DIR/half_A/best_classifier.json and DIR/half_B/...: the epochs chosen on each "
        "half's folds, for `serzoo reproduce --protocol swap-halves --classifier-hparams`",
    )
    args = parser.parse_args()

    from serzoo import quiet

    quiet.import_tensorflow_quietly()
    from serzoo.data import iter_folds, load_corpus
    from serzoo.experiments.workers import set_tensorflow_threads
    from serzoo.metrics import unweighted_average_recall
    from serzoo.models.classifiers import make_classifier

    set_tensorflow_threads(1)
    out = pathlib.Path(args.output)
    rows = json.loads(out.read_text()) if out.is_file() else []
    corpus = load_corpus(args.dataset, manual_dir=args.manual_dir)
    folds = list(iter_folds(corpus, progress=False))
    for epochs in (int(e) for e in args.epochs.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            if any(r["epochs"] == epochs and r["seed"] == seed for r in rows):
                continue
            start = time.perf_counter()
            y_true, y_pred, per_fold = [], [], {}
            for fold in folds:
                model = make_classifier("dnn", seed=seed, epochs=epochs).fit(
                    fold.x_train, fold.y_train, corpus.n_classes
                )
                predicted = np.asarray(model.predict(fold.x_test))
                per_fold[fold.fold.name] = unweighted_average_recall(fold.y_test, predicted, corpus.n_classes)
                y_true.append(fold.y_test)
                y_pred.append(predicted)
            uar = unweighted_average_recall(np.concatenate(y_true), np.concatenate(y_pred), corpus.n_classes)
            rows.append(
                {
                    "dataset": args.dataset,
                    "epochs": epochs,
                    "seed": seed,
                    "uar": uar,
                    "fold_uar": per_fold,
                    "seconds": time.perf_counter() - start,
                }
            )
            out.write_text(json.dumps(rows, indent=1))
            print(f"epochs {epochs:5d} seed {seed}: UAR {100 * uar:.2f} % ({time.perf_counter() - start:.0f} s)")
    print("| DNN epochs (no augmentation) | UAR % (mean ± std over seeds) | seeds |\n|---|---|---|")
    for epochs in sorted({r["epochs"] for r in rows}):
        values = [100 * r["uar"] for r in rows if r["epochs"] == epochs]
        print(f"| {epochs} | {np.mean(values):.2f} ± {np.std(values):.2f} | {len(values)} |")
    swap_halves_choice(rows, args.dataset, args.write_choice)


def swap_halves_choice(rows, dataset, folder=None) -> None:
    """The epochs each EmoDB speaker half gets when chosen on the other half's folds only (mean fold UAR over
    seeds): is "train longer" an honest choice, not only a post-hoc one? With ``folder``, each choice is written as
    the ``best_classifier.json`` of a search on the other half (:func:`serzoo.hparams.write_classifier_setting`)."""
    from serzoo.data import SPEAKER_HALVES
    from serzoo.hparams import write_classifier_setting

    first, second = SPEAKER_HALVES["emodb"]
    for name, searched, evaluated in (("half_A", first, second), ("half_B", second, first)):
        scores = {
            e: float(np.mean([np.mean([r["fold_uar"][f] for f in searched]) for r in rows if r["epochs"] == e]))
            for e in sorted({r["epochs"] for r in rows})
        }
        best = max(scores, key=scores.get)
        print(
            f"folds {'/'.join(g[-2:] for g in evaluated)}: {best} epochs, chosen on "
            f"{'/'.join(g[-2:] for g in searched)} ("
            + ", ".join(f"{e}: {100 * v:.2f}" for e, v in scores.items())
            + " mean fold UAR %)"
        )
        if folder:
            write_classifier_setting(
                pathlib.Path(folder) / name / "best_classifier.json",
                "dnn",
                {"epochs": best},
                dataset=dataset,
                objective={"name": "mean leave-one-speaker-out fold UAR of the unaugmented DNN", "direction": "max"},
                value=scores[best],
                hyperparameters={"epochs": best},
                candidates=scores,
                protocol={
                    "development_groups": list(searched),
                    "evaluation_groups": list(evaluated),
                    "search": "benchmarks/bench_dnn_budget.py: the epochs with the best mean fold UAR over "
                    "the development speakers' outer folds (trained on the other nine speakers)",
                },
            )


if __name__ == "__main__":
    main()
