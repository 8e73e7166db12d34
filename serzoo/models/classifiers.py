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
ENGINES = ("compiled", "keras")


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
    ``engine="compiled"`` (default) trains by :mod:`serzoo.models.compiled_fit`: the updates of
    ``keras.Model.fit`` (same loss, L2, class weights, Adam, batch size) in one compiled call per
    epoch, the batch order drawn by :meth:`epoch_orders`. ``engine="keras"`` is the plain
    ``Model.fit`` (Keras' own shuffling, ``steps_per_execution`` batches per compiled call).
    """

    hidden: tuple[int, ...] = (100, 100)
    l2: float = 1e-3
    learning_rate: float = 1e-4
    epochs: int = 100
    batch_size: int = 32
    steps_per_execution: int = 32
    seed: int = 0
    engine: str = "compiled"

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ValueError(f"DnnClassifier: unknown engine={self.engine!r}; choose one of: {', '.join(ENGINES)}")

    def build_model(self, input_dim: int, n_classes: int):
        """The network with this classifier's seeded initial weights, compiled as for ``Model.fit``."""
        import keras

        keras.utils.set_random_seed(self.seed)
        model = self._network(input_dim, n_classes)
        model.compile(optimizer=keras.optimizers.Adam(self.learning_rate),
                      loss="sparse_categorical_crossentropy", steps_per_execution=self.steps_per_execution)
        return model

    def epoch_orders(self, n: int):
        """The batch order of every epoch of the compiled engine: seeded permutations of ``range(n)``."""
        rng = np.random.default_rng(self.seed)
        return (rng.permutation(n) for _ in range(self.epochs))

    def fit(self, x: np.ndarray, y: np.ndarray, n_classes: int | None = None) -> DnnClassifier:
        n_classes = n_classes or int(np.max(y)) + 1
        class_weight = balanced_class_weights(y, n_classes)
        if self.engine == "keras":
            self.model_ = self.build_model(x.shape[1], n_classes)
            self.model_.fit(x, y, epochs=self.epochs, batch_size=self.batch_size, verbose=0,
                            class_weight=class_weight)
            return self
        trainer = self._trainer(x.shape[1], n_classes)  # before seeding: may build a template
        self.model_ = self.build_model(x.shape[1], n_classes)
        sample_weight = np.array([class_weight[k] for k in range(n_classes)], np.float32)[np.asarray(y)]
        trainer.fit(self.model_, x, y, sample_weight, self.epoch_orders(len(x)))
        return self

    def _network(self, input_dim: int, n_classes: int):
        from serzoo.networks import mlp

        return mlp(input_dim, self.hidden, output_dim=n_classes, output_activation="softmax",
                   l2=self.l2, name="dnn_classifier")

    def _trainer(self, input_dim: int, n_classes: int):
        import keras

        from serzoo.models.compiled_fit import cached_trainer

        key = ("dnn", input_dim, tuple(self.hidden), n_classes, self.l2, self.learning_rate, self.batch_size)
        return cached_trainer(key, lambda: self._network(input_dim, n_classes),
                              lambda: keras.optimizers.Adam(self.learning_rate), self.batch_size)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, by eager calls in chunks of 1024 (no ``tf.function`` to trace per model)."""
        x = np.asarray(x, np.float32)
        n_classes = self.model_.output_shape[-1]
        chunks = [np.asarray(self.model_(x[i:i + 1024], training=False)) for i in range(0, len(x), 1024)]
        return np.concatenate(chunks) if chunks else np.zeros((0, n_classes), np.float32)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)


def make_classifier(name: str, seed: int = 0, **overrides):
    """``"svm"`` → :class:`LinearSvm`, ``"dnn"`` → :class:`DnnClassifier` (``overrides`` = fields)."""
    if name == "svm":
        return LinearSvm(seed=seed, **overrides)
    if name == "dnn":
        return DnnClassifier(seed=seed, **overrides)
    raise ValueError(f"unknown classifier {name!r}; choose one of: {', '.join(CLASSIFIERS)}")
