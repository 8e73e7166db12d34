"""Augmentation methods behind one interface: ``fit(x, y, n_classes)`` then ``sample(labels, seed)``.

Non-neural baselines (duplication, Gaussian noise on features, SMOTE) and the adversarial schemes
(GAN, cGAN, ADAN, WADAN) are interchangeable: swap the method with one argument of
:func:`make_augmenter`. All work in the fold's normalised feature space.

Example:
    >>> augmenter = make_augmenter("wadan", seed=0).fit(x_train, y_train, n_classes=7)   # doctest: +SKIP
    >>> x_syn, y_syn = augmented_sets(augmenter, y_train, k=10, seed=1)                  # doctest: +SKIP

Reference: Yi & Mak, journal Sec. IV-D (k augmented sets, each of the training set's size and label
distribution) and Table I (the baselines).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from serzoo.validation import check_k, check_labels, check_training_data

SCHEMES = ("gan", "cgan", "aae", "m1", "m2", "m3", "adan", "wadan")
#: Schemes that are one conditional generator (exportable as one SavedModel); GAN is one model per class.
EXPORTABLE_SCHEMES = ("adan", "wadan", "cgan", "aae", "m1", "m2", "m3")
METHODS = ("duplicate", "noise", "smote", *SCHEMES)


def _check_labels(labels, fitted_classes) -> np.ndarray:
    labels = check_labels(labels, "labels")
    missing = sorted(set(np.unique(labels).tolist()) - set(fitted_classes))
    if missing:
        raise ValueError(f"cannot sample classes {missing}: they had no training samples")
    return labels


@dataclasses.dataclass
class Duplicate:
    """Copies of randomly chosen training samples of the requested class ("copying observations")."""

    name = "duplicate"

    def fit(self, x, y, n_classes: int):
        self.x_, self.y_ = check_training_data(x, y, n_classes)
        self.by_class_ = {k: np.flatnonzero(self.y_ == k) for k in np.unique(self.y_)}
        return self

    def _pick(self, labels, rng) -> np.ndarray:
        index = np.empty(labels.size, np.int64)
        for k in np.unique(labels):
            rows = labels == k
            index[rows] = rng.choice(self.by_class_[k], rows.sum())
        return index

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        labels = _check_labels(labels, self.by_class_)
        return self.x_[self._pick(labels, np.random.default_rng(seed))]


@dataclasses.dataclass
class GaussianNoise(Duplicate):
    """Training samples of the requested class plus N(0, σ²) noise on every (z-normed) feature."""

    sigma: float = 0.1
    name = "noise"

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        labels = _check_labels(labels, self.by_class_)
        rng = np.random.default_rng(seed)
        base = self.x_[self._pick(labels, rng)]
        return (base + rng.normal(0.0, self.sigma, base.shape)).astype(np.float32)


@dataclasses.dataclass
class Smote(Duplicate):
    """SMOTE (imbalanced-learn): interpolations between a sample and a same-class nearest neighbour."""

    k_neighbors: int = 5
    name = "smote"

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        from imblearn.over_sampling import SMOTE

        labels = _check_labels(labels, self.by_class_)
        wanted = {int(k): int((labels == k).sum()) for k in np.unique(labels)}
        counts = {int(k): len(rows) for k, rows in self.by_class_.items()}
        smallest = min(counts[k] for k in wanted)
        if smallest < 2:
            raise ValueError("SMOTE needs at least 2 training samples of every requested class")
        smote = SMOTE(
            sampling_strategy={k: counts[k] + wanted.get(k, 0) for k in counts},
            k_neighbors=min(self.k_neighbors, smallest - 1), random_state=seed,
        )
        x_all, y_all = smote.fit_resample(self.x_, self.y_)
        x_new, y_new = x_all[len(self.y_):], y_all[len(self.y_):]  # imblearn appends the synthetic rows
        out = np.empty((labels.size, self.x_.shape[1]), np.float32)
        for k in wanted:
            out[labels == k] = x_new[y_new == k][: wanted[k]]
        return out


@dataclasses.dataclass
class SchemeAugmenter:
    """An adversarial scheme (:mod:`serzoo.models`) trained with ``fit`` and sampled via ``generate``.

    Args:
        name: one of :data:`SCHEMES` (``gan``, ``cgan``, ``aae``, ``m1``, ``m2``, ``m3``, ``adan``, ``wadan``).
        epochs, batch_size: training length (Yi & Mak: batch 128; ADAN ≥ 800, WADAN 1500 epochs).
        seed: seed of the model (and of its noise).
        options: extra keyword arguments of the scheme builder (e.g. ``alpha``).
        learning_rate: Adam learning rate of every player (``None`` = the scheme's default, 1e-4).
        paper_optimizers: use the paper's per-player optimizers instead (M1-M3: Sahu et al.'s SGD,
            :func:`serzoo.models.sahu_gan.paper_optimizers`).
        jit_compile: XLA-compile the train step (measured 1.7× faster on CPU).
    """

    name: str
    epochs: int = 300
    batch_size: int = 128
    seed: int = 0
    options: dict = dataclasses.field(default_factory=dict)
    learning_rate: float | None = None
    paper_optimizers: bool = False
    jit_compile: bool = True

    def _build(self, input_dim: int, n_classes: int, class_weights):
        from serzoo.models.aae import build_aae
        from serzoo.models.adan import build_adan
        from serzoo.models.gan import build_gan
        from serzoo.models.sahu_gan import build_m1, build_m2, build_m3

        builders = {
            "gan": lambda **kw: build_gan(conditional=False, **kw),
            "cgan": lambda **kw: build_gan(conditional=True, **kw),
            "adan": lambda **kw: build_adan(divergence="js", class_weights=class_weights, **kw),
            "wadan": lambda **kw: build_adan(divergence="wasserstein", class_weights=class_weights, **kw),
            "aae": build_aae, "m1": build_m1, "m2": build_m2, "m3": build_m3,
        }
        if self.name not in builders:
            raise ValueError(f"unknown scheme {self.name!r}; choose one of {', '.join(builders)}")
        return builders[self.name](input_dim=input_dim, n_classes=n_classes, seed=self.seed, **self.options)

    def _train(self, x, y, n_classes, class_weights):
        import keras

        keras.utils.set_random_seed(self.seed)
        model = self._build(x.shape[1], n_classes, class_weights)
        if self.paper_optimizers:
            from serzoo.models.sahu_gan import paper_optimizers

            optimizers = paper_optimizers(self.name)
        else:
            optimizers = {} if self.learning_rate is None else {
                f"{player}_optimizer": keras.optimizers.Adam(self.learning_rate) for player in model.PLAYERS}
        model.compile(jit_compile=self.jit_compile, **optimizers)
        history = model.fit(x, y, batch_size=self.batch_size, epochs=self.epochs, verbose=0)
        return model, history.history

    def fit(self, x, y, n_classes: int):
        from serzoo.models.scheme import class_weights_for

        x, y = check_training_data(x, y, n_classes)
        weights = class_weights_for(y, n_classes)
        if self.name == "gan":  # an unconditional GAN per class, as labels cannot steer it
            trained = {int(k): self._train(x[y == k], y[y == k], n_classes, weights) for k in np.unique(y)}
            self.models_ = {k: m for k, (m, _) in trained.items()}
            self.history_ = {f"class{k}_{name}": v for k, (_, h) in trained.items() for name, v in h.items()}
        else:
            model, self.history_ = self._train(x, y, n_classes, weights)
            self.models_ = {int(k): model for k in np.unique(y)}
        return self

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        labels = _check_labels(labels, self.models_)
        some_model = next(iter(self.models_.values()))
        out = np.empty((labels.size, some_model.feature_dim), np.float32)
        for k in np.unique(labels):
            rows = labels == k
            out[rows] = self.models_[int(k)].generate(labels[rows].astype(np.int32), seed=seed + int(k))
        return out

    @property
    def model(self):
        """The trained scheme (the first one for per-class GANs)."""
        return next(iter(self.models_.values()))


def make_augmenter(method: str, *, seed: int = 0, epochs: int | None = None, **options):
    """An augmenter by name (see :data:`METHODS`); ``epochs`` applies to the adversarial schemes."""
    if method == "duplicate":
        return Duplicate()
    if method == "noise":
        return GaussianNoise(**options)
    if method == "smote":
        return Smote(**options)
    if method in SCHEMES:
        extra = {"epochs": epochs} if epochs is not None else {}
        return SchemeAugmenter(method, seed=seed, options=options, **extra)
    raise ValueError(f"unknown augmentation method {method!r}; choose one of: {', '.join(METHODS)}")


def augmented_sets(augmenter, y_train, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` synthetic sets, each with the training set's size and label distribution."""
    labels = np.tile(check_labels(y_train, "y_train"), check_k(k))
    if labels.size == 0:
        return np.zeros((0, 0), np.float32), labels
    return augmenter.sample(labels, seed=seed), labels


class ExportedGenerator:
    """A generator exported by :mod:`serzoo.export`, loaded with ``tf.saved_model.load``.

    It samples in the ORIGINAL openSMILE scale (unlike the in-fold augmenters above, which work
    on normalised features). ``fit`` only checks the manifest against the user's data. An export is
    code: loading checks the files' hash before ``tf.saved_model.load`` and the endpoints'
    signatures after it (:func:`serzoo.export.load_export`); load exports from trusted sources only.

    Args:
        path: ``exported/<name>/<version>``.
        feature_set, class_names: when given, must match the manifest (clear error otherwise).
    """

    def __init__(self, path, *, feature_set: str | None = None, class_names=None):
        from serzoo.export import load_export, read_manifest

        self.path = str(path)
        self.manifest = read_manifest(path)
        self.check(feature_set=feature_set, class_names=class_names)
        self.module = load_export(path, self.manifest)
        self.name = f"exported:{self.manifest['scheme']}"

    @property
    def class_names(self) -> list[str]:
        return list(self.manifest["class_names"])

    def check(self, *, feature_set=None, dim=None, class_names=None) -> None:
        """Raise ``ValueError`` naming the manifest field that does not match the user's data."""
        m, where = self.manifest, f"{self.path}/manifest.json"
        if feature_set is not None and feature_set != m["feature_set"]:
            raise ValueError(f"{where}: feature_set is {m['feature_set']!r}, your data is {feature_set!r}; "
                             "use a generator exported for your feature set")
        if dim is not None and dim != m["feature_dim"]:
            raise ValueError(f"{where}: feature_dim is {m['feature_dim']}, your data has {dim} features")
        if class_names is not None and list(class_names) != self.class_names:
            raise ValueError(f"{where}: class_names are {self.class_names}, your data's are {list(class_names)}; "
                             "map your labels to the generator's order")

    def fit(self, x, y, n_classes: int):
        x, _ = check_training_data(x, y, n_classes)
        self.check(dim=x.shape[1])
        if n_classes != len(self.class_names):
            raise ValueError(f"the generator knows {len(self.class_names)} classes, your data has {n_classes}")
        return self

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        import tensorflow as tf

        labels = tf.constant(check_labels(labels, "labels", len(self.class_names)).astype(np.int32))
        return self.module.generate(labels=labels, seed=tf.constant(seed, tf.int64))["features"].numpy()

    def dataset_transform(self, k: int, seed: int = 0):
        """A ``tf.data`` transformation: every ``(features, label)`` is followed by ``k`` synthetic ones.

        Example: ``train = train.apply(generator.dataset_transform(k=2))``.
        """
        import tensorflow as tf

        module, k = self.module, check_k(k)

        def expand(index, features, label):
            synthetic = module.generate(labels=tf.fill([k], tf.cast(label, tf.int32)),
                                        seed=tf.cast(index, tf.int64) + seed)["features"]
            all_features = tf.concat([tf.cast(features[None], tf.float32), synthetic], axis=0)
            all_labels = tf.fill([k + 1], tf.cast(label, tf.int64))
            return tf.data.Dataset.from_tensor_slices((all_features, all_labels))

        return lambda dataset: dataset.enumerate().flat_map(lambda i, item: expand(i, *item))


def augment(x, y, method, *, k: int = 1, n_classes: int | None = None, seed: int = 0, feature_set=None,
            class_names=None, **options) -> tuple[np.ndarray, np.ndarray]:
    """Real data followed by ``k`` synthetic sets: ``method`` is a name of :data:`METHODS` (fitted on
    ``x, y`` here) or the path of an exported generator (checked against ``feature_set``/``class_names``).

    Example:
        >>> x_aug, y_aug = augment(x, y, "exported/wadan_emodb/1", k=5, feature_set="is11")  # doctest: +SKIP
        >>> x_aug, y_aug = augment(x, y, "smote", k=5)                                        # doctest: +SKIP
    """
    from serzoo.data import Normalizer

    k = check_k(k)
    x, y = check_training_data(x, y, n_classes)
    if k == 0:
        return x, y
    if isinstance(method, str) and method in METHODS:  # fitted here, in z-normalised space
        normalizer = Normalizer("global").fit(x)
        generator = make_augmenter(method, seed=seed, **options)
        generator.fit(normalizer.transform(x), y, n_classes or int(y.max()) + 1)
        z_syn, y_syn = augmented_sets(generator, y, k, seed=seed)
        x_syn = normalizer.restore(z_syn)
    else:
        generator = ExportedGenerator(method, feature_set=feature_set, class_names=class_names)
        generator.fit(x, y, n_classes or len(generator.class_names))
        x_syn, y_syn = augmented_sets(generator, y, k, seed=seed)
    return np.concatenate([x, x_syn]), np.concatenate([y, y_syn])
