"""Benchmark: quality of ADAN/WADAN generators measured on training speakers only.

Trains a scheme on the training speakers of one leave-one-speaker-out fold and reports, without
touching the held-out speaker: TRTS (a linear SVM trained on the real training set labels a synthetic
set of the same size), TSTR (the reverse), the MMD between the real training set and that synthetic set, how often the
auxiliary classifier C recognises G's latent vectors, and the mean |h| of E(x) and G(z, y). This is
what chose the bounded (tanh) latent space of :func:`serzoo.models.adan.build_adan` and the demo's
learning rate (:data:`serzoo.schedules.DEMO_LEARNING_RATE`).

Run: python benchmarks/bench_generator_quality.py --dataset emodb/is11 --data-dir DIR \\
        --variants adan:linear:800:1e-4,adan:tanh:400:1e-4,wadan:tanh:400:1e-4
"""

import argparse
import time

import numpy as np


def synthetic_quality(augmenter, x, y, n_classes: int) -> dict:
    """TRTS, TSTR and MMD of one synthetic set (training set's size and labels, seed 1) against ``x, y``."""
    from serzoo.augmenters import augmented_sets
    from serzoo.quality import generator_quality

    x_syn, y_syn = augmented_sets(augmenter, y, 1, seed=1)
    return generator_quality(x, y, x_syn, y_syn, n_classes)


def training_speakers(dataset: str, data_dir=None, manual_dir=None, held_out: str | None = None):
    """The corpus and one leave-one-speaker-out fold (use only its training part): the fold holding out
    ``held_out``, else the first."""
    from serzoo.data import iter_folds, load_corpus

    corpus = load_corpus(dataset, data_dir=data_dir, manual_dir=manual_dir)
    return corpus, next(iter_folds(corpus, progress=False, held_out=[held_out] if held_out else None))


def measure(corpus, fold_data, method: str, latent: str, epochs: int, learning_rate: float) -> dict:
    from serzoo.augmenters import make_augmenter

    x, y = fold_data.x_train, fold_data.y_train
    options = {"latent_activation": None if latent == "linear" else latent}
    start = time.perf_counter()
    augmenter = make_augmenter(method, seed=0, epochs=epochs, learning_rate=learning_rate, **options)
    augmenter.fit(x, y, corpus.n_classes)
    seconds = time.perf_counter() - start
    quality = synthetic_quality(augmenter, x, y, corpus.n_classes)
    model = augmenter.model
    h_real = model.encode(x).numpy()
    h_fake = model.generator(model._generator_input(y, len(y))).numpy()
    recognised = float(np.mean(model.classifier(h_fake).numpy().argmax(1) == y))
    return {
        "method": method,
        "latent": latent,
        "epochs": epochs,
        "lr": learning_rate,
        **quality,
        "c_on_fake": recognised,
        "h_real": float(np.abs(h_real).mean()),
        "h_fake": float(np.abs(h_fake).mean()),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument(
        "--variants",
        default="adan:linear:800:1e-4,adan:tanh:400:1e-4,wadan:tanh:400:1e-4",
        help="method:latent:epochs:learning_rate, comma-separated",
    )
    args = parser.parse_args()
    corpus, fold_data = training_speakers(args.dataset, args.data_dir, args.manual_dir)
    print(f"{args.dataset}, training speakers of fold {fold_data.fold.name} ({fold_data.y_train.size} utterances)")
    print(
        "| scheme | latent | epochs | Adam lr | TRTS UAR % | TSTR UAR % | MMD | C recognises G(z,y) "
        "| mean abs h real / fake | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for variant in args.variants.split(","):
        method, latent, epochs, learning_rate = variant.split(":")
        r = measure(corpus, fold_data, method, latent, int(epochs), float(learning_rate))
        print(
            f"| {r['method']} | {r['latent']} | {r['epochs']} | {r['lr']:g} | {100 * r['trts_uar']:.1f} "
            f"| {100 * r['tstr_uar']:.1f} | {r['mmd']:.4f} "
            f"| {100 * r['c_on_fake']:.1f} % | {r['h_real']:.2f} / {r['h_fake']:.2f} | {r['seconds']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
