"""Benchmark: how many libsvm iterations the linear SVM needs on EmoDB, against its cap (issue 35, case 24).

For every leave-one-speaker-out fold of a corpus (global z-norm, as ``serzoo evaluate``), fits
:class:`serzoo.models.classifiers.LinearSvm` without a cap on the real training rows, then on the real rows plus ``k``
sets of each non-neural baseline (noise, SMOTE), and prints the largest ``n_iter_`` of the one-vs-one problems and the
fit time; then, with the cap, on real rows plus one set of far-out rows with shuffled labels (a generator's samples in
the wrong space: the real rows times ``--far``). The cap (:data:`~serzoo.models.classifiers.SVM_MAX_ITER`) must lie far
above every realistic fit, so that it cannot change a result, and bound the time of the pathological one
(``--uncapped-far`` also fits that one without the cap: it may run for many minutes).

Run: nice -n 10 python benchmarks/bench_svm_iterations.py --manual-dir $SERZOO_EMODB_DIR [--data-dir DIR] [--k 10]
"""

import argparse
import time
import warnings

import numpy as np


def fit(x, y, n_classes, max_iter):
    from serzoo.models.classifiers import LinearSvm

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        svm = LinearSvm(max_iter=max_iter).fit(x, y, n_classes)
    return int(np.max(svm.model_.n_iter_)), time.perf_counter() - start, svm.stopped_early_


def main():
    from serzoo.augmenters import augmented_sets, make_augmenter
    from serzoo.data import iter_folds, load_corpus
    from serzoo.models.classifiers import SVM_MAX_ITER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--far", type=float, default=1000.0, help="scale of the far-out rows")
    parser.add_argument("--folds", type=int, default=None)
    parser.add_argument("--uncapped-far", action="store_true", help="also fit the far-out rows without the cap")
    args = parser.parse_args()
    corpus = load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=args.manual_dir)
    print(f"{args.dataset}: largest n_iter_ per fit (seconds); cap {SVM_MAX_ITER}, k = {args.k}")
    print("| fold | real | + noise k | + smote k | far-out, capped |" + " far-out, no cap |" * args.uncapped_far)
    print("|---|---|---|---|---|" + "---|" * args.uncapped_far)
    worst = {}
    for data in iter_folds(corpus, max_folds=args.folds, progress=False):
        x, y, n = data.x_train, data.y_train, corpus.n_classes
        cells = {"real": fit(x, y, n, -1)}
        for method in ("noise", "smote"):
            augmenter = make_augmenter(method).fit(x, y, n)
            x_syn, y_syn = augmented_sets(augmenter, y, args.k, seed=1)
            cells[method] = fit(np.concatenate([x, x_syn]), np.concatenate([y, y_syn]), n, -1)
        far = np.concatenate([x, x * args.far]), np.concatenate([y, np.random.default_rng(0).permutation(y)])
        cells["far, capped"] = fit(*far, n, SVM_MAX_ITER)
        if args.uncapped_far:
            cells["far, no cap"] = fit(*far, n, -1)
        for name, (iterations, _, _) in cells.items():
            worst[name] = max(worst.get(name, 0), iterations)
        row = " | ".join(f"{it} ({s:.1f} s{', stopped early' if early else ''})" for it, s, early in cells.values())
        print(f"| {data.fold.name} | {row} |", flush=True)
    print(f"largest over the folds: {worst}")


if __name__ == "__main__":
    main()
