"""Diagnostic: how much of an augmentation "gain" is only more DNN training? The unaugmented DNN at more epochs.

Yi & Mak's recipe trains the DNN for a fixed number of epochs over real + k synthetic sets, so k = 10 makes 11 x the
optimizer updates of k = 0. This trains the unaugmented DNN for ``--epochs`` (e.g. 100 = the default, 1100 = the
updates of k = 10) on EmoDB's ten leave-one-speaker-out folds and reports the pooled UAR per seed. It is post hoc on
all folds: a diagnostic for the recipe study, never used to choose a headline setting.

    nice python benchmarks/bench_dnn_budget.py --manual-dir ../shared/corpora/emodb --epochs 100,1100 --seeds 0 \\
        --output benchmarks/results/dnn_budget_emodb_is11.json
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
                model = make_classifier("dnn", seed=seed, epochs=epochs).fit(fold.x_train, fold.y_train,
                                                                               corpus.n_classes)
                predicted = np.asarray(model.predict(fold.x_test))
                per_fold[fold.fold.name] = unweighted_average_recall(fold.y_test, predicted, corpus.n_classes)
                y_true.append(fold.y_test)
                y_pred.append(predicted)
            uar = unweighted_average_recall(np.concatenate(y_true), np.concatenate(y_pred), corpus.n_classes)
            rows.append({"dataset": args.dataset, "epochs": epochs, "seed": seed, "uar": uar, "fold_uar": per_fold,
                         "seconds": time.perf_counter() - start})
            out.write_text(json.dumps(rows, indent=1))
            print(f"epochs {epochs:5d} seed {seed}: UAR {100 * uar:.2f} % ({time.perf_counter() - start:.0f} s)")
    print("| DNN epochs (no augmentation) | UAR % (mean ± std over seeds) | seeds |\n|---|---|---|")
    for epochs in sorted({r["epochs"] for r in rows}):
        values = [100 * r["uar"] for r in rows if r["epochs"] == epochs]
        print(f"| {epochs} | {np.mean(values):.2f} ± {np.std(values):.2f} | {len(values)} |")
    print_swap_halves_choice(rows)


def print_swap_halves_choice(rows) -> None:
    """The epochs each EmoDB speaker half would get if chosen on the other half's folds only (mean fold UAR over
    seeds): is "train longer" an honest choice, not only a post-hoc one?"""
    from serzoo.data import SPEAKER_HALVES

    first, second = SPEAKER_HALVES["emodb"]
    for half, other in ((first, second), (second, first)):
        scores = {e: np.mean([np.mean([r["fold_uar"][f] for f in other]) for r in rows if r["epochs"] == e])
                  for e in sorted({r["epochs"] for r in rows})}
        best = max(scores, key=scores.get)
        print(f"folds {'/'.join(g[-2:] for g in half)}: {best} epochs, chosen on {'/'.join(g[-2:] for g in other)} ("
              + ", ".join(f"{e}: {100 * v:.2f}" for e, v in scores.items()) + " mean fold UAR %)")


if __name__ == "__main__":
    main()
