"""Benchmark: the per-class GAN baseline (Yi & Mak eqs. 2-3) as C sequential fits vs one batched model.

Speed: on EmoDB-like shapes (random features, ``--class-sizes`` rows of 4368 features per class, default the
class sizes of EmoDB fold 1's training speakers; batch 128, Adam 1e-4, XLA as in augmentation), the wall time of
``SchemeAugmenter.fit`` for 2 and ``--speed-epochs`` epochs of both versions, each twice in A-B-B-A order in one
process; the difference gives the cost per epoch after compilation. The batched model pads every class to the
largest class's batch (here 113 rows for 45-113 real ones), so it computes more rows than the C fits.

Quality: on the training speakers of EmoDB fold 1 only (the held-out speaker is never touched), both versions
trained ``--quality-epochs`` epochs with the same seed, scored with :func:`serzoo.quality.generator_quality` (TRTS,
TSTR, MMD of one synthetic set of the training set's size and label distribution).

The sequential version is revision 1 of the registered ``"gan"``: ``build_gan(conditional=False)`` with
``per_class=True`` (one fit per class), registered here at run time as ``gan_sequential``.

Run: nice -n 10 python benchmarks/bench_per_class_gan.py --manual-dir $SERZOO_EMODB_DIR
"""

import argparse
import os
import time

import numpy as np

SEQUENTIAL = "gan_sequential"
METHODS = (SEQUENTIAL, "gan")
LABELS = {SEQUENTIAL: "sequential (C fits, revision 1)", "gan": "batched (one model, revision 2)"}


def register_sequential() -> None:
    from serzoo.models import SchemeSpec, register_scheme

    register_scheme(
        SchemeSpec(
            SEQUENTIAL,
            "serzoo.models.gan:build_gan",
            "per-class GAN, C sequential fits",
            "Yi & Mak",
            {"conditional": False},
            exportable=False,
            per_class=True,
        )
    )


def fit(method: str, x, y, n_classes: int, epochs: int):
    from serzoo.augmenters import make_augmenter

    augmenter = make_augmenter(method, seed=0, epochs=epochs)
    start = time.perf_counter()
    augmenter.fit(x, y, n_classes)
    return augmenter, time.perf_counter() - start


def speed(class_sizes: list[int], epochs: int) -> None:
    """Fit times of both versions for 2 and ``epochs`` epochs, each measured twice in A-B-B-A order."""
    n_classes = len(class_sizes)
    y = np.repeat(np.arange(n_classes), class_sizes)
    x = np.random.default_rng(0).normal(size=(y.size, 4368)).astype("float32")
    seconds = {}
    for n in (2, epochs):
        for method in (*METHODS, *reversed(METHODS)):
            seconds.setdefault((method, n), []).append(fit(method, x, y, n_classes, n)[1])
            print(f"  {method}: {n} epochs {seconds[method, n][-1]:.1f} s", flush=True)
    mean = {key: float(np.mean(values)) for key, values in seconds.items()}
    print(
        f"\nSpeed: {n_classes} classes of {class_sizes} rows x 4368 features (random), batch 128, Adam 1e-4, XLA;"
        " each fit twice (A-B-B-A order), mean"
    )
    print(f"| version | fit, 2 epochs (s) | fit, {epochs} epochs (s) | s per epoch after compilation |")
    print("|---|---|---|---|")
    per_epoch = {}
    for method in METHODS:
        per_epoch[method] = (mean[method, epochs] - mean[method, 2]) / (epochs - 2)
        runs = " / ".join(f"{s:.1f}" for s in seconds[method, epochs])
        print(
            f"| {LABELS[method]} | {mean[method, 2]:.1f} | {mean[method, epochs]:.1f} ({runs}) "
            f"| {per_epoch[method]:.2f} |"
        )
    print(
        f"Speed-up of the fit at {epochs} epochs: {mean[SEQUENTIAL, epochs] / mean['gan', epochs]:.2f}x; "
        f"per epoch after compilation: {per_epoch[SEQUENTIAL] / per_epoch['gan']:.2f}x",
        flush=True,
    )


def quality(dataset: str, data_dir, manual_dir, epochs: int) -> None:
    from serzoo.augmenters import augmented_sets
    from serzoo.data import iter_folds, load_corpus
    from serzoo.quality import generator_quality

    corpus = load_corpus(dataset, data_dir=data_dir, manual_dir=manual_dir)
    fold = next(iter_folds(corpus, max_folds=1, progress=False))
    x, y = fold.x_train, fold.y_train
    print(
        f"\nQuality: {dataset}, training speakers of fold {fold.fold.name} ({y.size} utterances, "
        f"{x.shape[1]} features, class sizes {np.bincount(y).tolist()}), {epochs} epochs, seed 0"
    )
    print("| version | TRTS UAR % | TSTR UAR % | MMD | fit s |")
    print("|---|---|---|---|---|")
    for method in METHODS:
        augmenter, seconds = fit(method, x, y, corpus.n_classes, epochs)
        x_syn, y_syn = augmented_sets(augmenter, y, 1, seed=1)
        q = generator_quality(x, y, x_syn, y_syn, corpus.n_classes)
        print(
            f"| {LABELS[method]} | {100 * q['trts_uar']:.1f} | {100 * q['tstr_uar']:.1f} | {q['mmd']:.4f} "
            f"| {seconds:.0f} |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--class-sizes",
        default="113,76,45,65,64,55,68",
        help="rows per class of the random data (default: EmoDB fold 1's training speakers)",
    )
    parser.add_argument("--speed-epochs", type=int, default=50)
    parser.add_argument("--quality-epochs", type=int, default=100)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--manual-dir", default=None, help="EmoDB folder (the one holding wav/)")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(f"uptime: {os.popen('uptime').read().strip()}", flush=True)
    register_sequential()
    speed([int(n) for n in args.class_sizes.split(",")], args.speed_epochs)
    if not args.skip_quality:
        quality(args.dataset, args.data_dir, args.manual_dir, args.quality_epochs)
    print(f"uptime: {os.popen('uptime').read().strip()}")


if __name__ == "__main__":
    main()
