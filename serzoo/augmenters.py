"""Augmentation methods behind one interface: ``fit(x, y, n_classes)`` then ``sample(labels, seed)``.

Non-neural baselines (duplication, Gaussian noise on features, SMOTE) and the adversarial schemes
(every scheme of :mod:`serzoo.models`) are interchangeable: swap the method with one argument of
:func:`make_augmenter`. All work in the fold's normalised feature space.

Example:
    >>> augmenter = make_augmenter("wadan", seed=0).fit(x_train, y_train, n_classes=7)   # doctest: +SKIP
    >>> x_syn, y_syn = augmented_sets(augmenter, y_train, k=10, seed=1)                  # doctest: +SKIP

Reference: Yi & Mak, journal Sec. IV-D (k augmented sets, each of the training set's size and label
distribution) and Table I (the baselines).
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from serzoo.schedules import DEFAULT_SCHEDULE, Training, schedule_keyword, training_for
from serzoo.validation import check_k, check_labels, check_number, check_synthetic_memory, check_training_data

#: Environment variable: ``0`` trains the adversarial schemes without XLA by default (:class:`SchemeAugmenter`).
XLA_ENV = "SERZOO_XLA"
#: Rows sampled by :meth:`ExportedGenerator.check_scale`, and the distance (root mean square over features, in the
#: user's standard deviations) between their mean and the user's beyond which the scales differ.
SCALE_PROBE = 256
SCALE_LIMIT = 10.0
#: Non-neural augmentation methods; the adversarial ones come from the scheme registry (:mod:`serzoo.models`).
BASELINES = ("duplicate", "noise", "smote")
#: Rows an exported generator makes per call (a bounded graph: 8192 x 4368 float32 features are 143 MB; a scheme's own
#: ``generate`` makes 1024 per step).
SAMPLE_BATCH = 8192


def augmentation_methods() -> tuple[str, ...]:
    """Every method name :func:`make_augmenter` accepts: the baselines, then every registered generator (a
    classifier-only scheme such as ``dann`` is not an augmentation method)."""
    from serzoo.models import scheme_names

    return (*BASELINES, *scheme_names(generator=True))


def _fitted(augmenter, attribute: str):
    """``augmenter.<attribute>``, set by ``fit``; before it, sklearn's ``NotFittedError`` (a ``ValueError``)."""
    if not hasattr(augmenter, attribute):
        from sklearn.exceptions import NotFittedError

        name = getattr(augmenter, "name", type(augmenter).__name__)
        raise NotFittedError(f"augmenter {name!r} is not fitted: call fit(x, y, n_classes) before sample(labels)")
    return getattr(augmenter, attribute)


def _in_batches(generate, labels: np.ndarray, seed: int) -> np.ndarray:
    """``generate(labels, seed)`` in calls of at most :data:`SAMPLE_BATCH` rows, concatenated; the i-th call gets
    ``seed + i * 7919`` (a prime above any class count: no two calls, of any class, share a seed). One call, as
    before batching, for up to :data:`SAMPLE_BATCH` rows."""
    parts = [
        generate(labels[start : start + SAMPLE_BATCH], seed + 7919 * i)
        for i, start in enumerate(range(0, labels.size, SAMPLE_BATCH))
    ]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


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
        labels = _check_labels(labels, _fitted(self, "by_class_"))
        return self.x_[self._pick(labels, np.random.default_rng(seed))]


@dataclasses.dataclass
class GaussianNoise(Duplicate):
    """Training samples of the requested class plus N(0, σ²) noise on every (z-normed) feature."""

    sigma: float = 0.1
    name = "noise"

    def __post_init__(self):
        check_number(self.sigma, "noise: sigma (the noise's standard deviation)", minimum=0)

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        labels = _check_labels(labels, _fitted(self, "by_class_"))
        rng = np.random.default_rng(seed)
        base = self.x_[self._pick(labels, rng)]
        return (base + rng.normal(0.0, self.sigma, base.shape)).astype(np.float32)


@dataclasses.dataclass
class Smote(Duplicate):
    """SMOTE (imbalanced-learn): interpolations between a sample and a same-class nearest neighbour."""

    k_neighbors: int = 5
    name = "smote"

    def __post_init__(self):
        check_number(self.k_neighbors, "smote: k_neighbors", integer=True, minimum=1)

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        from imblearn.over_sampling import SMOTE

        labels = _check_labels(labels, _fitted(self, "by_class_"))
        wanted = {int(k): int((labels == k).sum()) for k in np.unique(labels)}
        counts = {int(k): len(rows) for k, rows in self.by_class_.items()}
        smallest = min(counts[k] for k in wanted)
        if smallest < 2:
            raise ValueError("SMOTE needs at least 2 training samples of every requested class")
        smote = SMOTE(
            sampling_strategy={k: counts[k] + wanted.get(k, 0) for k in counts},
            k_neighbors=min(self.k_neighbors, smallest - 1),
            random_state=seed,
        )
        x_all, y_all = smote.fit_resample(self.x_, self.y_)
        x_new, y_new = x_all[len(self.y_) :], y_all[len(self.y_) :]  # imblearn appends the synthetic rows
        out = np.empty((labels.size, self.x_.shape[1]), np.float32)
        for k in wanted:
            out[labels == k] = x_new[y_new == k][: wanted[k]]
        return out


@dataclasses.dataclass
class SchemeAugmenter:
    """A registered adversarial scheme (:mod:`serzoo.models`) trained with ``fit``, sampled via ``generate``.

    Args:
        name: a registered scheme (:func:`serzoo.models.scheme_names`).
        training: epochs, batch size and optimizers (default: the ``serzoo`` schedule of the scheme,
            :func:`serzoo.schedules.training_for`).
        seed: seed of the model (and of its noise).
        options: extra keyword arguments of the scheme builder (e.g. ``alpha``).
        jit_compile: XLA-compile the train step (measured 1.7× faster on CPU per epoch; compiling costs about
            10 s of CPU per full-size scheme). Default: on, unless the environment sets ``SERZOO_XLA=0`` (the test
            suite does, for its 2-epoch fits; ``tests/test_augmenters.py`` trains every scheme with XLA).
        callbacks: extra Keras callbacks of every fit (e.g. measuring quality during training).
    """

    name: str
    training: Training | None = None
    seed: int = 0
    options: dict = dataclasses.field(default_factory=dict)
    jit_compile: bool | None = None
    callbacks: tuple = ()

    def __post_init__(self):
        from serzoo.models import check_generator

        self.spec = check_generator(self.name, "an augmenter (SchemeAugmenter, make_augmenter, augment)")
        self.training = self.training or training_for(self.name)
        if self.jit_compile is None:
            self.jit_compile = os.environ.get(XLA_ENV, "1") != "0"

    def _train(self, x, y, n_classes, class_weights):
        import keras

        from serzoo.tensorboard import tensorboard_callbacks

        keras.utils.set_random_seed(self.seed)
        model = self.spec.build(x.shape[-1], n_classes, seed=self.seed, class_weights=class_weights, **self.options)
        if tuple(model.sample_shape) != tuple(x.shape[1:]):
            raise ValueError(
                f"{self.name} takes examples of shape {tuple(model.sample_shape)}, got x of shape "
                f"{x.shape}: "
                + (
                    "give fixed-length frame crops [n, crop_frames, features] "
                    "(serzoo.frames; crop_frames is a builder option)"
                    if len(model.sample_shape) == 2
                    else "give [n, features] vectors"
                )
            )
        model.compile(
            jit_compile=self.jit_compile,
            **self.training.optimizers(self.name, model.PLAYERS, model.steps_per_epoch(x, y, self.training.batch_size)),
        )
        history = model.fit(
            x,
            y,
            batch_size=self.training.batch_size,
            epochs=self.training.epochs,
            verbose=0,
            callbacks=[*tensorboard_callbacks(f"{self.name}-seed{self.seed}"), *self.callbacks],
        )
        return model, history.history

    def fit(self, x, y, n_classes: int):
        from serzoo.models.scheme import class_weights_for

        x, y = check_training_data(x, y, n_classes, crops=True)
        weights = class_weights_for(y, n_classes)
        if self.spec.per_class:  # a generator that ignores labels: one model per class
            trained = {int(k): self._train(x[y == k], y[y == k], n_classes, weights) for k in np.unique(y)}
            self.models_ = {k: m for k, (m, _) in trained.items()}
            self.history_ = {f"class{k}_{name}": v for k, (_, h) in trained.items() for name, v in h.items()}
        else:
            model, self.history_ = self._train(x, y, n_classes, weights)
            self.models_ = {int(k): model for k in np.unique(y)}
        return self

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        labels = _check_labels(labels, _fitted(self, "models_"))
        some_model = next(iter(self.models_.values()))
        out = np.empty((labels.size, *some_model.sample_shape), np.float32)
        for k in np.unique(labels):
            rows = labels == k
            out[rows] = self.models_[int(k)].generate(labels[rows].astype(np.int32), seed=seed + int(k))
        return out

    @property
    def model(self):
        """The trained scheme (the first one for per-class schemes)."""
        return next(iter(self.models_.values()))


@schedule_keyword
def make_augmenter(
    method: str,
    *,
    seed: int = 0,
    schedule: str = DEFAULT_SCHEDULE,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    training: Training | None = None,
    **options,
):
    """An augmenter by name (see :func:`augmentation_methods`).

    For a scheme, ``schedule`` gives its training (:mod:`serzoo.schedules`); ``epochs``, ``learning_rate`` and
    ``batch_size`` override it, and an explicit ``training`` replaces it; ``options`` go to the scheme's builder. For a
    baseline, ``options`` are its fields.
    """
    from serzoo.models import check_generator, scheme_names

    if method == "duplicate":
        return Duplicate()
    if method == "noise":
        return GaussianNoise(**options)
    if method == "smote":
        return Smote(**options)
    if method in scheme_names():
        check_generator(method, "make_augmenter")
        training = training or training_for(
            method, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size
        )
        return SchemeAugmenter(method, training=training, seed=seed, options=options)
    raise ValueError(f"unknown augmentation method {method!r}; choose one of: {', '.join(augmentation_methods())}")


def tuned_augmenter(setting, *, seed: int = 0) -> SchemeAugmenter:
    """The augmenter of a :class:`serzoo.hparams.TunedSetting` (a search's ``best_hparams.json``)."""
    return make_augmenter(setting.scheme, seed=seed, training=setting.training(), **setting.options)


def augmented_sets(augmenter, y_train, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``k`` synthetic sets, each with the training set's size and label distribution."""
    y_train = check_labels(y_train, "y_train")
    if hasattr(augmenter, "x_"):  # a fitted baseline knows its rows' shape (schemes are checked by augment())
        check_synthetic_memory(check_k(k) * y_train.size, augmenter.x_.shape[1:], f"k={k} sets")
    labels = np.tile(y_train, check_k(k))
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
            raise ValueError(
                f"{where}: feature_set is {m['feature_set']!r}, your data is {feature_set!r}; "
                "use a generator exported for your feature set"
            )
        if dim is not None and dim != m["feature_dim"]:
            raise ValueError(f"{where}: feature_dim is {m['feature_dim']}, your data has {dim} features")
        if class_names is not None and list(class_names) != self.class_names:
            raise ValueError(
                f"{where}: class_names are {self.class_names}, your data's are {list(class_names)}; "
                "map your labels to the generator's order"
            )

    def fit(self, x, y, n_classes: int):
        """Check the user's data against the manifest and against the scale of the generator's samples."""
        x, y = check_training_data(x, y, n_classes)
        self.check(dim=x.shape[1])
        if n_classes != len(self.class_names):
            raise ValueError(f"the generator knows {len(self.class_names)} classes, your data has {n_classes}")
        self.check_scale(x, y)
        return self

    def check_scale(self, x, y) -> None:
        """Refuse (never convert) features on another scale than the generator's samples: the typical feature of
        ``SCALE_PROBE`` samples lies more than ``SCALE_LIMIT`` of the data's standard deviations from the data's
        mean (root mean square over the non-constant features). The usual cause: z-normalised features (what
        :func:`serzoo.iter_folds` gives) with an export, which samples the raw openSMILE scale it was trained on."""
        if x.ndim != 2 or "crop_frames" in self.manifest:
            return
        synthetic = self.sample(np.asarray(y)[:SCALE_PROBE], seed=0).astype(np.float64)
        mean, std = x.mean(axis=0, dtype=np.float64), x.std(axis=0, dtype=np.float64)
        varies = std > 0
        distance = np.sqrt(np.mean(((synthetic.mean(axis=0) - mean)[varies] / std[varies]) ** 2))
        if not np.isfinite(distance) or distance > SCALE_LIMIT:
            standardised = np.median(np.abs(mean)) < 0.5 and 0.5 < np.median(std) < 2
            raise ValueError(
                f"{self.path}: its samples lie {distance:.3g} standard deviations of your features from their mean: "
                "your features are on another scale than the generator's. "
                + (
                    "Your x looks z-normalised (feature means ~0, deviations ~1), the generator samples raw "
                    "features (its training data's scale): pass raw features (e.g. Normalizer.restore, or the "
                    "corpus before iter_folds) and normalise the augmented set after"
                    if standardised
                    else "Pass features extracted and scaled as the generator's training data (its manifest's "
                    "feature_set, raw openSMILE values)"
                )
                + "; augment refuses rather than converts, as it cannot know your normalisation"
            )

    def sample(self, labels, seed: int = 0, frames: int | None = None) -> np.ndarray:
        """Features ``[n, D]``; a frame-level generator gives ``[n, frames, D]`` (default: one crop)."""
        import tensorflow as tf

        labels = check_labels(labels, "labels", len(self.class_names)).astype(np.int32)
        extra = {}
        if "crop_frames" in self.manifest:
            extra["frames"] = tf.constant(frames or self.manifest["crop_frames"], tf.int32)
        elif frames is not None:
            raise ValueError(f"{self.path} generates feature vectors; frames is for frame-level generators")

        def generate(part, part_seed):
            return self.module.generate(labels=tf.constant(part), seed=tf.constant(part_seed, tf.int64), **extra)[
                "features"
            ].numpy()

        if labels.size == 0:
            return generate(labels, seed)
        return _in_batches(generate, labels, seed)

    def dataset_transform(self, k: int, seed: int | None = None, *, features_key="features", label_key="label"):
        """A ``tf.data`` transformation: every real row is followed by ``k`` synthetic rows of its class.

        Elements are ``(features, label)`` tuples or dicts (TFDS: ``features_key``, ``label_key``; a dict's other
        entries are repeated for its synthetic rows), unbatched or batched (a batch of ``B`` rows becomes one of
        ``B * (k + 1)``, so the number of steps is kept; unbatched, the cardinality is multiplied by ``k + 1``).
        The synthetic rows are drawn afresh every epoch (``seed`` fixes the sequence of epochs). Feature vectors
        only (a frame-level generator is refused). The rows are in the generator's scale (raw features).

        Example: ``train = train.apply(generator.dataset_transform(k=2)).shuffle(1024).batch(32)``.
        """
        import tensorflow as tf

        module, k = self.module, check_k(k)
        if "crop_frames" in self.manifest:
            raise ValueError(f"{self.path}: dataset_transform adds feature vectors; this generator makes frame crops")

        def expand(element, draw):
            features, label = (
                (element[features_key], element[label_key]) if isinstance(element, dict) else (element[0], element[1])
            )
            batched = features.shape.rank == 2
            if not batched:  # one row: a batch of one
                element = tf.nest.map_structure(lambda value: value[None], element)
                features, label = features[None], label[None]
            synthetic = module.generate(labels=tf.repeat(tf.cast(label, tf.int32), k), seed=draw)["features"]
            rows = tf.concat([tf.cast(features, tf.float32)[:, None], tf.reshape(synthetic, [-1, k, self.dim])], 1)
            rows = tf.reshape(rows, [-1, self.dim])
            labels = tf.repeat(label, k + 1, axis=0)
            if isinstance(element, dict):
                out = {name: tf.repeat(value, k + 1, axis=0) for name, value in element.items()}
                out.update({features_key: rows, label_key: labels})
            else:
                out = (rows, labels, *(tf.repeat(value, k + 1, axis=0) for value in element[2:]))
            return out if batched else tf.data.Dataset.from_tensor_slices(out)

        def transform(dataset):
            cardinality = int(dataset.cardinality())
            draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
            paired = tf.data.Dataset.zip((dataset, draws))
            spec = dataset.element_spec
            features_spec = spec[features_key] if isinstance(spec, dict) else spec[0]
            if features_spec.shape.rank == 2:
                return paired.map(expand)
            expanded = paired.flat_map(expand)
            if cardinality >= 0:
                expanded = expanded.apply(tf.data.experimental.assert_cardinality(cardinality * (k + 1)))
            return expanded

        return transform

    @property
    def dim(self) -> int:
        """The number of features of a sample (the manifest's ``feature_dim``)."""
        return int(self.manifest["feature_dim"])


def _check_export_folder(method) -> None:
    """Refuse a ``method`` that is neither a known method name nor an existing folder (a typo like ``"smot"``)."""
    import os

    if not (isinstance(method, (str, os.PathLike)) and os.path.isdir(method)):
        raise ValueError(
            f"method {method!r} is neither a known augmentation method ({', '.join(augmentation_methods())}) nor an "
            "existing folder of an exported generator (exported/<name>/<version>); check the spelling or the path"
        )


class _NormalisedSampler:
    """An :class:`ExportedGenerator` seen in the normalised space of the user's data (for recipes); ``model`` gives
    its ``encode``/``decode`` endpoints in that space, for ``Recipe.latent_interpolation``."""

    def __init__(self, generator, normalizer):
        self.generator, self.normalizer, self.name = generator, normalizer, generator.name
        endpoints = generator.manifest["endpoints"]
        self.model = self if "encode" in endpoints and "decode" in endpoints else None

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        return self.normalizer.transform(self.generator.sample(labels, seed=seed))

    def encode(self, x) -> np.ndarray:
        features = self.normalizer.restore(np.asarray(x, np.float32)).astype(np.float32)
        return self.generator.module.encode(features=features)["codes"].numpy()

    def decode(self, codes) -> np.ndarray:
        features = self.generator.module.decode(codes=np.asarray(codes, np.float32))["features"].numpy()
        return self.normalizer.transform(features)


def augment(
    x,
    y,
    method,
    *,
    k: int | None = None,
    n_classes: int | None = None,
    seed: int = 0,
    feature_set=None,
    class_names=None,
    recipe=None,
    groups=None,
    **options,
):
    """Real data followed by ``k`` synthetic sets (default 1): ``method`` is a name of :func:`augmentation_methods`
    (fitted on ``x, y`` here) or the path of an exported generator (checked against ``feature_set``/``class_names``).

    With ``recipe`` (a :class:`serzoo.recipes.Recipe` or a dict of its fields), the recipe is applied in the
    z-normalised space of ``x`` (:func:`serzoo.recipes.augmented_training_set`; ``groups`` = the speaker of each
    row, for ``speaker_variety``). The result is an :class:`Augmented`: it unpacks as ``(x, y, sample_weight)``
    when a recipe applies (pass ``sample_weight``, and for the two-stage DNN ``result.synthetic``, to the
    classifier's ``fit``), else as ``(x, y)``. An exported generator samples the scale it was trained on (raw
    openSMILE features): give ``x`` in that scale; z-normalised ``x`` is refused
    (:meth:`ExportedGenerator.check_scale`). An exported generator
    whose manifest names a recipe (a pretrained preset, :mod:`serzoo.zoo`) is used with that recipe and its ``k``
    unless ``recipe``/``k`` are given (``recipe={}`` = plain k sets at weight 1).

    Example:
        >>> x_aug, y_aug = augment(x, y, "smote", k=5)                                        # doctest: +SKIP
        >>> x_aug, y_aug, w = augment(x, y, "wadan", k=5, recipe={"synthetic_weight": 0.3})   # doctest: +SKIP
        >>> result = augment(x_raw, y, "exported/wadan_emodb_is11/1", feature_set="is11")      # doctest: +SKIP
        >>> model.fit(result.x, result.y, sample_weight=result.sample_weight)                 # doctest: +SKIP
    """
    from serzoo.data import Normalizer
    from serzoo.models import check_generator, scheme_names

    if isinstance(method, str) and method in scheme_names():
        check_generator(method, "augment()")
    x, y = check_training_data(x, y, n_classes)
    exported = not (isinstance(method, str) and method in augmentation_methods())
    if exported:
        _check_export_folder(method)
        generator = ExportedGenerator(method, feature_set=feature_set, class_names=class_names)
        if recipe is None and "recipe" in generator.manifest:
            from serzoo.zoo import recipe_of

            recipe, preset_k = recipe_of(generator.manifest)
            k = preset_k if k is None else k
    k = check_k(1 if k is None else k)
    if recipe is not None:
        from serzoo.recipes import as_recipe

        recipe = as_recipe(recipe)
    ratio = None if recipe is None else recipe.ratio
    if ratio is None:
        check_synthetic_memory(k * len(y), x.shape[1:], f"k={k} sets of {len(y)} rows")
    else:
        check_synthetic_memory(round(ratio * len(y)), x.shape[1:], f"ratio {ratio} of {len(y)} rows")
    if k == 0 and (recipe is None or recipe.ratio is None):
        return Augmented(x, y, None if recipe is None else np.ones(len(y)), n_real=len(y))
    normalizer = Normalizer("global").fit(x)
    if not exported:  # fitted here, in z-normalised space
        generator = make_augmenter(method, seed=seed, **options)
        generator.fit(normalizer.transform(x), y, n_classes or int(y.max()) + 1)
        sampler, normalised = generator, True
    else:
        generator.fit(x, y, n_classes or len(generator.class_names))
        sampler, normalised = generator, False
    if recipe is not None:
        from serzoo.recipes import augmented_training_set

        if not normalised:
            sampler = _NormalisedSampler(generator, normalizer)
        built = augmented_training_set(
            normalizer.transform(x), y, sampler, k=k, seed=seed, recipe=recipe, n_classes=n_classes, groups=groups
        )
        x_syn = normalizer.restore(built.x[len(y) :])
        return Augmented(np.concatenate([x, x_syn]), built.y, built.sample_weight, n_real=len(y))
    x_syn, y_syn = augmented_sets(sampler, y, k, seed=seed)
    if normalised:
        x_syn = normalizer.restore(x_syn)
    return Augmented(np.concatenate([x, x_syn]), np.concatenate([y, y_syn]), None, n_real=len(y))


class Augmented(tuple):
    """What :func:`augment` returns: ``x``, ``y`` (the real rows first, then the synthetic ones), ``sample_weight``
    (all 1 without a recipe) and ``synthetic`` (True for the synthetic rows). It unpacks as ``(x, y)``, or as
    ``(x, y, sample_weight)`` when a recipe weights the rows (a recipe given, or a preset's)."""

    def __new__(cls, x, y, sample_weight=None, *, n_real: int):
        result = super().__new__(cls, (x, y) if sample_weight is None else (x, y, sample_weight))
        result.n_real = int(n_real)
        return result

    @property
    def x(self) -> np.ndarray:
        return self[0]

    @property
    def y(self) -> np.ndarray:
        return self[1]

    @property
    def sample_weight(self) -> np.ndarray:
        return self[2] if len(self) == 3 else np.ones(len(self[1]))

    @property
    def synthetic(self) -> np.ndarray:
        return np.arange(len(self[1])) >= self.n_real


class Resampler:
    """:func:`augment` as an imbalanced-learn sampler: ``Resampler("smote", k=2).fit_resample(x, y)`` returns
    ``(x, y)`` (the real rows first) and keeps ``synthetic_``. Its keyword arguments are :func:`augment`'s. A
    result whose rows carry weights (a recipe's, or a preset's) is refused: use :func:`augment` for it."""

    def __init__(self, method, **kwargs):
        self.method, self.kwargs = method, kwargs

    def fit_resample(self, x, y):
        result = augment(x, y, self.method, **self.kwargs)
        if not np.all(result.sample_weight == 1):
            raise ValueError(
                f"{self.method}: its rows carry sample_weight (a recipe), which fit_resample cannot return: use "
                "result = serzoo.augment(x, y, ...) and fit(result.x, result.y, sample_weight=result.sample_weight), "
                "or recipe={} for plain sets at weight 1"
            )
        self.synthetic_ = result.synthetic
        return result.x, result.y
