"""Baseline emotion classifiers: linear SVM and the DNN of Yi & Mak.

Both follow the scikit-learn ``fit(x, y)`` / ``predict(x)`` convention so the fold loop treats
them alike. Both take per-row ``sample_weight`` (e.g. a loss weight for synthetic rows,
:mod:`serzoo.recipes`): a row of weight 0 is dropped before training, so it changes nothing at all
(not even the batch composition or the DNN's number of updates).

Reference: Yi & Mak, journal Sec. IV-D and V: linear-kernel SVM (scikit-learn); DNN with two
hidden layers of 100 ReLU units, L2 regularisation, Xavier initialisation, Adam (lr 1e-4), class
weights n_max / n_k.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from serzoo.validation import check_number

CLASSIFIERS = ("svm", "dnn")
ENGINES = ("compiled", "keras")


def balanced_class_weights(y: np.ndarray, n_classes: int, sample_weight=None) -> dict[int, float]:
    """Weights ``n_max / n_k`` per class (Yi & Mak, Sec. IV-D); 0 for classes absent from ``y``.

    With ``sample_weight``, ``n_k`` is the class's summed row weight (the plain count when all weights are 1).
    """
    counts = np.bincount(np.asarray(y, np.int64), weights=sample_weight, minlength=n_classes)
    return {k: float(counts.max() / c) if c else 0.0 for k, c in enumerate(counts)}


def _drop_zero_weight(x, y, sample_weight, *masks):
    """``x, y, sample_weight`` (and any row ``masks``) without the rows of weight 0; ``sample_weight`` is None
    when it was None or every remaining weight is 1 (so the unweighted code path runs unchanged)."""
    if sample_weight is None:
        return (x, y, None, *masks)
    sample_weight = np.asarray(sample_weight, np.float64)
    if sample_weight.shape != (len(x),) or not np.all(np.isfinite(sample_weight)) or (sample_weight < 0).any():
        raise ValueError(
            f"sample_weight must be {len(x)} finite weights >= 0 (one per row of x), got shape {sample_weight.shape}"
        )
    keep = sample_weight > 0
    if not keep.any():
        raise ValueError("sample_weight is 0 for every row: nothing to train on")
    kept = [np.asarray(a)[keep] if a is not None else None for a in (x, y, sample_weight, *masks)]
    if np.all(kept[2] == 1.0):
        kept[2] = None
    return tuple(kept)


#: The linear SVM's iteration cap per one-vs-one problem (libsvm's SMO; scikit-learn's default is no cap). EmoDB's
#: baselines and augmented folds converge in far fewer (BENCHMARKS.md, "SVM iteration cap"); far-out synthetic rows
#: ran over 15 minutes without one.
SVM_MAX_ITER = 1_000_000


@dataclasses.dataclass
class LinearSvm:
    """Linear-kernel SVM (``sklearn.svm.SVC``, one-vs-one).

    The linear kernel is passed precomputed (``X Xᵀ`` by BLAS): the same classifier as
    ``SVC(kernel="linear")``, many times faster for thousands of 4368-D (augmented) vectors. libsvm stops after
    ``max_iter`` iterations per one-vs-one problem (:data:`SVM_MAX_ITER`; -1: no cap); if it stops there before
    converging, ``fit`` warns (``ConvergenceWarning``, naming the rows and ``C``) and sets ``stopped_early_``.
    """

    c: float = 1.0
    seed: int = 0
    max_iter: int = SVM_MAX_ITER

    def __post_init__(self):
        check_number(self.c, "LinearSvm: c", above=0)
        if self.max_iter != -1:  # -1: no cap (scikit-learn's convention)
            check_number(self.max_iter, "LinearSvm: max_iter", integer=True, minimum=1)

    def fit(
        self, x: np.ndarray, y: np.ndarray, n_classes: int | None = None, sample_weight=None, synthetic=None
    ) -> LinearSvm:
        """``sample_weight`` rescales ``C`` per row (libsvm's per-instance weights); rows of weight 0 are
        dropped. ``synthetic`` (the DNN's two-stage mask) is accepted for a uniform interface and unused:
        the SVM has no training schedule."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import SVC

        x, y, sample_weight = _drop_zero_weight(x, y, sample_weight)
        self.support_x_ = np.asarray(x, np.float64)
        gram = self.support_x_ @ self.support_x_.T
        svc = SVC(kernel="precomputed", C=self.c, random_state=self.seed, max_iter=self.max_iter)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            self.model_ = svc.fit(gram, y, sample_weight=sample_weight)
        self.stopped_early_ = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        for other in (w for w in caught if not issubclass(w.category, ConvergenceWarning)):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        if self.stopped_early_:
            warnings.warn(
                f"linear SVM: libsvm stopped at its cap of {self.max_iter} iterations before converging ({len(y)} "
                f"rows, C={self.c}); its predictions may be off. Rows far outside the others' scale (e.g. "
                "synthetic features in another space) slow it down: check them, or lower C",
                ConvergenceWarning,
                stacklevel=2,
            )
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

    Two options for augmented training sets, whose synthetic rows ``fit`` gets as the ``synthetic`` mask
    (:mod:`serzoo.recipes` sets them):

    - ``constant_updates``: as many optimizer updates as ``epochs`` over the real rows alone,
      ``epochs · ⌈n_real / batch_size⌉``, whatever the number of synthetic rows: the epochs over all rows are
      scaled by about ``n_real / n_total``, the last one a prefix of its permutation cut after the step count
      is reached. Without it, k synthetic sets make k + 1 times the updates of real data alone, which
      confounds the comparison with k = 0. Compiled engine only.
    - ``pretrain_epochs``: two-stage training, as in transfer learning from synthetic data: first
      ``pretrain_epochs`` epochs on the synthetic rows only, then ``epochs`` on the real rows only, with a fresh
      Adam (the fine-tuning stage sees no synthetic row). Nothing is pretrained when no synthetic row is left.
    """

    hidden: tuple[int, ...] = (100, 100)
    l2: float = 1e-3
    learning_rate: float = 1e-4
    epochs: int = 100
    batch_size: int = 32
    steps_per_execution: int = 32
    seed: int = 0
    engine: str = "compiled"
    constant_updates: bool = False
    pretrain_epochs: int = 0

    def __post_init__(self):
        """Every field checked here, so that a bad setting (``best_classifier.json``, ``--classifier-options``)
        fails before any training, naming the field, not after half of an experiment or never (a NaN rate)."""
        if self.engine not in ENGINES:
            raise ValueError(f"DnnClassifier: unknown engine={self.engine!r}; choose one of: {', '.join(ENGINES)}")
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise ValueError(f"DnnClassifier: hidden must be a list of layer widths, got {self.hidden!r}")
        for width in self.hidden:
            check_number(width, "DnnClassifier: every width of hidden", integer=True, minimum=1)
        check_number(self.l2, "DnnClassifier: l2", minimum=0)
        check_number(self.learning_rate, "DnnClassifier: learning_rate", above=0)
        for name in ("epochs", "batch_size", "steps_per_execution"):
            check_number(getattr(self, name), f"DnnClassifier: {name}", integer=True, minimum=1)
        check_number(self.pretrain_epochs, "DnnClassifier: pretrain_epochs", integer=True, minimum=0)
        if not isinstance(self.constant_updates, bool):
            raise ValueError(f"DnnClassifier: constant_updates must be true or false, got {self.constant_updates!r}")

    def build_model(self, input_dim: int, n_classes: int):
        """The network with this classifier's seeded initial weights, compiled as for ``Model.fit``."""
        import keras

        keras.utils.set_random_seed(self.seed)
        model = self._network(input_dim, n_classes)
        model.compile(
            optimizer=keras.optimizers.Adam(self.learning_rate),
            loss="sparse_categorical_crossentropy",
            steps_per_execution=self.steps_per_execution,
        )
        return model

    def optimizer_steps(self, n_real: int, n_synthetic: int = 0) -> int:
        """Adam updates :meth:`fit` makes on ``n_real`` real and ``n_synthetic`` synthetic rows (of nonzero weight)."""

        def per_epoch(n: int) -> int:
            return -(-n // self.batch_size)

        if self.pretrain_epochs and n_synthetic:
            return self.pretrain_epochs * per_epoch(n_synthetic) + self.epochs * per_epoch(n_real)
        if self.constant_updates and n_synthetic and n_real:
            return self.epochs * per_epoch(n_real)
        return self.epochs * per_epoch(n_real + n_synthetic)

    def epoch_orders(self, n: int):
        """The batch order of every epoch of the compiled engine: seeded permutations of ``range(n)``."""
        return self._orders(n, np.random.default_rng(self.seed), self.epochs)

    def _orders(self, n: int, rng, epochs: int, steps: int | None = None):
        """``epochs`` permutations of ``range(n)``, or (``steps``) as many as make exactly ``steps`` batches, the
        last one cut to whole batches. Draws the same permutations as :meth:`epoch_orders` for the same ``rng``."""
        if steps is None:
            for _ in range(epochs):
                yield rng.permutation(n)
            return
        full, rest = divmod(steps, -(-n // self.batch_size))
        for _ in range(full):
            yield rng.permutation(n)
        if rest:
            yield rng.permutation(n)[: rest * self.batch_size]

    def fit(
        self, x: np.ndarray, y: np.ndarray, n_classes: int | None = None, sample_weight=None, synthetic=None
    ) -> DnnClassifier:
        """Train on ``x, y``. ``sample_weight``: per-row loss weights, multiplied by the class weights
        ``n_max / n_k`` (``n_k`` = the class's summed weight); rows of weight 0 are dropped. ``synthetic``: boolean
        mask of the synthetic rows, used by ``constant_updates`` and ``pretrain_epochs`` (None = all real)."""
        n_classes = n_classes or int(np.max(y)) + 1
        if synthetic is None:
            synthetic = np.zeros(len(x), bool)
        synthetic = np.asarray(synthetic, bool)
        if synthetic.shape != (len(x),):
            raise ValueError(
                f"synthetic must be a boolean mask with one entry per row of x ({len(x)}), got shape {synthetic.shape}"
            )
        x, y, sample_weight, synthetic = _drop_zero_weight(x, y, sample_weight, synthetic)
        x, y = np.asarray(x), np.asarray(y)
        weights = np.ones(len(x)) if sample_weight is None else sample_weight
        n_real = int((~synthetic).sum())
        stages = []  # (rows, epochs, optimizer steps or None, rng of the batch orders)
        if self.pretrain_epochs and synthetic.any():
            stages.append((synthetic, self.pretrain_epochs, None, np.random.default_rng([self.seed, 1])))
            stages.append((~synthetic, self.epochs, None, np.random.default_rng(self.seed)))
        else:
            mixed = synthetic.any() and n_real > 0  # constant updates need real rows to count (not synthetic-only)
            steps = self.epochs * -(-n_real // self.batch_size) if self.constant_updates and mixed else None
            stages.append((np.ones(len(x), bool), self.epochs, steps, np.random.default_rng(self.seed)))
        if self.engine == "keras":
            return self._fit_keras(x, y, n_classes, sample_weight, stages)
        trainer = self._trainer(x.shape[1], n_classes)  # before seeding: may build a template
        self.model_ = self.build_model(x.shape[1], n_classes)
        for rows, epochs, steps, rng in stages:
            if not rows.any():
                continue
            class_weight = balanced_class_weights(y[rows], n_classes, sample_weight=weights[rows])
            row_weight = np.array([class_weight[k] for k in range(n_classes)], np.float32)[y[rows]]
            if sample_weight is not None:
                row_weight = (row_weight * sample_weight[rows]).astype(np.float32)
            trainer.fit(self.model_, x[rows], y[rows], row_weight, self._orders(int(rows.sum()), rng, epochs, steps))
        return self

    def _fit_keras(self, x, y, n_classes, sample_weight, stages):
        self.model_ = self.build_model(x.shape[1], n_classes)
        for rows, epochs, steps, _ in stages:
            if steps is not None:
                raise ValueError(
                    "DnnClassifier: constant_updates needs engine='compiled' (Model.fit counts epochs, "
                    "not optimizer steps)"
                )
            if not rows.any():
                continue
            if len(stages) > 1:  # a fresh optimizer per stage, as the compiled engine
                self.model_.compile(
                    optimizer=type(self.model_.optimizer)(self.learning_rate),
                    loss="sparse_categorical_crossentropy",
                    steps_per_execution=self.steps_per_execution,
                )
            weights = None if sample_weight is None else sample_weight[rows]
            class_weight = balanced_class_weights(y[rows], n_classes, sample_weight=weights)
            if weights is None:
                self.model_.fit(
                    x[rows], y[rows], epochs=epochs, batch_size=self.batch_size, verbose=0, class_weight=class_weight
                )
            else:  # Keras takes class_weight or sample_weight, not both: their product is the same loss
                combined = np.array([class_weight[k] for k in range(n_classes)])[y[rows]] * weights
                self.model_.fit(
                    x[rows], y[rows], epochs=epochs, batch_size=self.batch_size, verbose=0, sample_weight=combined
                )
        return self

    def _network(self, input_dim: int, n_classes: int):
        from serzoo.networks import mlp

        return mlp(
            input_dim, self.hidden, output_dim=n_classes, output_activation="softmax", l2=self.l2, name="dnn_classifier"
        )

    def _trainer(self, input_dim: int, n_classes: int):
        import keras

        from serzoo.models.compiled_fit import cached_trainer

        key = ("dnn", input_dim, tuple(self.hidden), n_classes, self.l2, self.learning_rate, self.batch_size)
        return cached_trainer(
            key,
            lambda: self._network(input_dim, n_classes),
            lambda: keras.optimizers.Adam(self.learning_rate),
            self.batch_size,
        )

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities, by eager calls in chunks of 1024 (no ``tf.function`` to trace per model)."""
        x = np.asarray(x, np.float32)
        n_classes = self.model_.output_shape[-1]
        chunks = [np.asarray(self.model_(x[i : i + 1024], training=False)) for i in range(0, len(x), 1024)]
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
