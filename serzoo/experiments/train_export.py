"""Train a generator on a corpus's training groups and export it (``serzoo export``).

The normaliser is fitted on the training groups only; the manifest records the dataset, feature
set, class names, training groups, normalisation and generator-quality metrics at export: MMD
(real vs synthetic, normalised space), TRTS (linear SVM trained on the real training data, tested on
synthetic data: are the samples recognisable as their class?) and TSTR (trained on synthetic, tested
on the real training data: do they carry the class structure?), both as UAR.
"""

from __future__ import annotations

import pathlib

import numpy as np

from serzoo.augment import EXPORTABLE_SCHEMES as EXPORTABLE
from serzoo.augment import SchemeAugmenter
from serzoo.data import Corpus, Normalizer
from serzoo.quality import generator_quality


def train_and_export(
    corpus: Corpus, scheme: str = "adan", *, train_splits=None, epochs: int = 300, seed: int = 0,
    root="exported", name: str | None = None, version: str = "1", overwrite: bool = False,
    options: dict | None = None, learning_rate: float | None = None,
) -> tuple[pathlib.Path, SchemeAugmenter, Normalizer]:
    """Fit ``scheme`` on ``train_splits`` (default: all groups) and export it to ``root/name/version``.

    ``options`` go to the scheme builder (e.g. smaller networks for tests); ``learning_rate`` is the
    Adam rate of every player (default: the paper's 1e-4). An existing target is refused before
    training unless ``overwrite``; :func:`~serzoo.export.export_generator` decides atomically at the end.
    """
    from serzoo.export import check_target, export_generator

    if scheme not in EXPORTABLE:
        raise ValueError(f"export supports {', '.join(EXPORTABLE)} (one conditional generator); got {scheme!r}")
    target = pathlib.Path(root) / (name or f"{scheme}_{corpus.name}_{corpus.feature_set}") / version
    check_target(target, overwrite)
    train_splits = list(train_splits or corpus.splits)
    train = corpus.select(train_splits)
    normalizer = Normalizer("global").fit(train.x)
    x = normalizer.transform(train.x)
    augmenter = SchemeAugmenter(scheme, epochs=epochs, seed=seed, options=options or {}, learning_rate=learning_rate)
    augmenter.fit(x, train.y, corpus.n_classes)
    y_syn = train.y.copy()
    quality = generator_quality(x, train.y, augmenter.sample(y_syn, seed=seed + 1), y_syn, corpus.n_classes)
    path = export_generator(
        augmenter.model, normalizer, target, overwrite=overwrite,
        manifest={
            "dataset": corpus.name, "feature_set": corpus.feature_set,
            "feature_names": corpus.feature_names, "class_names": corpus.class_names,
            "training_groups": train_splits, "n_training_utterances": int(train.y.size),
            "epochs": epochs, "learning_rate": learning_rate or 1e-4, "seed": seed, "metrics_at_export": quality,
            "final_losses": {k: float(np.asarray(v)[-1]) for k, v in augmenter.history_.items()},
        },
    )
    return path, augmenter, normalizer
