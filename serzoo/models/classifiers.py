"""Baseline emotion classifiers: linear SVM and the DNN of Yi & Mak.

Both follow the scikit-learn ``fit(x, y)`` / ``predict(x)`` convention so the fold loop treats
them alike.

Reference: Yi & Mak, journal Sec. IV-D and V: linear-kernel SVM (scikit-learn); DNN with two
hidden layers of 100 ReLU units, L2 regularisation, Xavier initialisation, Adam (lr 1e-4), class
weights n_max / n_k.
"""

from __future__ import annotations

import dataclasses

import numpy as np

CLASSIFIERS = ("svm", "dnn")


def balanced_class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Weights ``n_max / n_k`` per class (Yi & Mak, Sec. IV-D); 0 for classes absent from ``y``."""
    counts = np.bincount(np.asarray(y, np.int64), minlength=n_classes)
    return {k: float(counts.max() / c) if c else 0.0 for k, c in enumerate(counts)}


@dataclasses.dataclass
class LinearSvm:
    """Linear-kernel SVM (``sklearn.svm.SVC``, one-vs-one).

    The linear kernel is passed precomputed (``X Xᵀ`` by BLAS): the same classifier as
    ``SVC(kernel="linear")``, many times faster for thousands of 4368-D (augmented) vectors.
    """

    c: float = 1.0
    seed: int = 0

    def fit(self, x: np.ndarray, y: np.ndarray, n_classes: int | None = None) -> LinearSvm:
        from sklearn.svm import SVC

        self.support_x_ = np.asarray(x, np.float64)
        gram = self.support_x_ @ self.support_x_.T
        self.model_ = SVC(kernel="precomputed", C=self.c, random_state=self.seed).fit(gram, y)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.model_.predict(np.asarray(x, np.float64) @ self.support_x_.T)


@dataclasses.dataclass
class DnnClassifier:
    """DNN of Yi & Mak: ``hidden`` ReLU layers with L2, softmax, weighted cross-entropy.

    The defaults were fixed before any evaluation and are not tuned on test speakers.
    ``steps_per_execution`` batches run per compiled call (same updates, same result, less per-step
    Python overhead: 1.25-1.9× faster on 2 cores, see BENCHMARKS.md).
    """

    hidden: tuple[int, ...] = (100, 100)
    l2: float = 1e-3
    learning_rate: float = 1e-4
    epochs: int = 100
    batch_size: int = 32
    steps_per_execution: int = 32
    seed: int = 0

    def fit(self, x: np.ndarray, y: np.ndarray, n_classes: int | None = None) -> DnnClassifier:
        import keras

        from serzoo.networks import mlp

        n_classes = n_classes or int(np.max(y)) + 1
        keras.utils.set_random_seed(self.seed)
        self.model_ = mlp(
            x.shape[1], self.hidden, output_dim=n_classes, output_activation="softmax",
            l2=self.l2, name="dnn_classifier",
        )
        self.model_.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss="sparse_categorical_crossentropy",
            steps_per_execution=self.steps_per_execution,
        )
        self.model_.fit(
            x, y, epochs=self.epochs, batch_size=self.batch_size, verbose=0,
            class_weight=balanced_class_weights(y, n_classes),
        )
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.model_.predict(x, batch_size=1024, verbose=0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)


def make_classifier(name: str, seed: int = 0, **overrides):
    """``"svm"`` → :class:`LinearSvm`, ``"dnn"`` → :class:`DnnClassifier` (``overrides`` = fields)."""
    if name == "svm":
        return LinearSvm(seed=seed, **overrides)
    if name == "dnn":
        return DnnClassifier(seed=seed, **overrides)
    raise ValueError(f"unknown classifier {name!r}; choose one of: {', '.join(CLASSIFIERS)}")
