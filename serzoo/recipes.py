"""Augmentation recipes: how synthetic samples enter a classifier's training set.

A :class:`Recipe` names the knobs (loss weight and amount of synthetic data, calibration, curation, latent
interpolation, two-stage training, speaker variety); :func:`augmented_training_set` applies one to a fitted
augmenter and returns the rows, per-row loss weights and the synthetic mask for a classifier of
:mod:`serzoo.models.classifiers`, plus diagnostics (acceptance rate, moment gaps, weight spread). The default
``Recipe()`` is exactly today's augmentation: ``k`` sets of :func:`serzoo.augmenters.augmented_sets`, weight 1.
Everything works in the fold's normalised feature space (where the augmenter was fitted).

Why: on EmoDB the adversarial generators' classes keep 19-45 % of the real within-class spread and their
centroids are shifted (``docs/yi_mak.md``, "variety" table), so k = 10 such sets pull the classifier towards
compact, misplaced prototypes (issue 17). Each knob is a remedy with published evidence for feature-level
augmentation: confidence curation (Synt++, Hu et al. 2022; CLLM, Seedat et al. 2024), density-ratio weights
(Grover et al. 2019), calibrated per-class moments (Yang et al. 2021), mixup in latent space (Zhang et al. 2018).

Example:
    >>> recipe = Recipe(synthetic_weight=0.3, calibration=1.0, curation_threshold=0.8)
    >>> recipe.tag
    'w0.3+cal1+tau0.8'
    >>> Recipe.from_dict(recipe.to_dict()) == recipe
    True
    >>> data = augmented_training_set(x, y, augmenter, k=10, seed=1, recipe=recipe)     # doctest: +SKIP
    >>> make_classifier("dnn", **recipe.classifier_options("dnn")).fit(                  # doctest: +SKIP
    ...     data.x, data.y, 7, **data.fit_kwargs())

This module imports neither TensorFlow nor scikit-learn at import time.
"""

from __future__ import annotations

import dataclasses
import numbers
import time
from collections.abc import Mapping

import numpy as np

from serzoo.validation import check_k, check_training_data

#: Seed stride between curation rounds (a prime, so rounds never reuse a class's sampling seed).
_ROUND_SEED_STRIDE = 7919


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def _integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How synthetic samples are made into training rows. Every knob's default leaves today's behaviour.

    Args:
        synthetic_weight: loss weight of every synthetic row (real rows weigh 1): the DNN's ``sample_weight``,
            the SVM's per-row ``C``. 0 = the unaugmented classifier exactly (weight-0 rows are dropped).
        ratio: synthetic rows per real row, instead of ``k`` sets (``None`` = ``k`` sets). Each class gets
            ``round(ratio · n_class)`` rows, so the label distribution stays the training set's.
        constant_updates: the DNN makes as many optimizer updates as on the real rows alone, whatever the amount of
            synthetic data (:class:`~serzoo.models.classifiers.DnnClassifier`: epochs scaled by ``n_real /
            n_total``); without it k = 10 trains 11 × the updates of k = 0, which confounds the comparison.
        calibration: strength in [0, 1] of per-class moment matching (0 = off). Each class's synthetic samples are
            mapped ``x → (x − μ_syn) · σ_real / σ_syn + μ_real`` per feature (1 = equal class means and standard
            deviations), blended as ``(1 − s) x + s · map(x)``: the remedy for the measured centroid shift and
            collapsed spread, in the spirit of distribution calibration (Yang et al., ICLR 2021,
            arXiv 2101.06395). A feature whose synthetic spread is 0 is only shifted.
        curation_threshold: τ in (0, 1]: keep a synthetic sample only if a classifier trained on the real training
            data (multinomial logistic regression) gives its requested class a probability >= τ; rejected ones
            are replaced by fresh draws (``None`` = off). Curation by a real-data classifier's confidence helped
            every generator in CLLM (Seedat et al., ICML 2024, arXiv 2312.12112); discriminator-based filtering:
            Synt++ (Hu et al., ICASSP 2022, arXiv 2110.11479).
        curation_tries: rounds of draws for the rejected samples; the set can fall short of the requested count
            when few samples pass (reported in the diagnostics).
        density_ratio_clip: importance-weight the synthetic rows by the density ratio ``c / (1 − c)`` of a
            real-vs-synthetic classifier (out-of-fold probabilities ``c`` = P(real | x)), self-normalised to mean
            1 and clipped to ``[1 / clip, clip]`` (Grover et al., NeurIPS 2019, arXiv 1906.09531, likelihood-free
            importance weighting; ``None`` = off). Multiplies ``synthetic_weight``.
        latent_interpolation: instead of the generator's samples, decode mixtures ``λ E(x_i) + (1 − λ) E(x_j)`` of
            the encoder codes of two random real training samples of the requested class, λ ~ U(0, 1): mixup in a
            learned latent space (Zhang et al. 2018, arXiv 1710.09412; manifold mixup, Verma et al. 2019,
            arXiv 1806.05236), a generator-based SMOTE. Needs a scheme with an encoder (ADAN, WADAN, AAE, M1-M3).
        pretrain_epochs: two-stage training of the DNN: this many epochs on the synthetic rows only, then its usual
            epochs on the real rows only (0 = one stage on everything). The SVM has no stages and ignores it.
        speaker_variety: strength of speaker-offset perturbation (0 = off): each synthetic sample is shifted by
            ``s · o_spk`` for a random real training speaker, ``o_spk`` = the speaker's class-balanced mean offset
            (the mean over the speaker's classes of its class mean minus the class mean of all training speakers),
            so samples look like other speakers' rather than new class prototypes. Needs the training rows'
            speakers (``groups``). Evidence is indirect: emotion transfer onto other speakers' real utterances
            helps SER (Bao et al. 2019; Rizos et al., ICASSP 2020); this cheap feature-space analogue is untested
            in the literature. Under per-speaker z-normalisation the offsets are ~0.
    """

    synthetic_weight: float = 1.0
    ratio: float | None = None
    constant_updates: bool = False
    calibration: float = 0.0
    curation_threshold: float | None = None
    curation_tries: int = 10
    density_ratio_clip: float | None = None
    latent_interpolation: bool = False
    pretrain_epochs: int = 0
    speaker_variety: float = 0.0

    def __post_init__(self):
        def fail(field, value, what):
            raise ValueError(f"Recipe.{field} must be {what}, got {value!r}")

        def real(field, low, high=None, *, optional=False, low_open=False):
            value = getattr(self, field)
            if optional and value is None:
                return
            span = f"in {'(' if low_open else '['}{low:g}, {high:g}]" if high is not None else f">= {low:g}"
            what = f"a number {span}" + (" or None (off)" if optional else "")
            if not _number(value) or value < low or (low_open and value == low) or (high is not None and value > high):
                fail(field, value, what)
            object.__setattr__(self, field, float(value))

        real("synthetic_weight", 0.0)
        real("ratio", 0.0, optional=True)
        real("calibration", 0.0, 1.0)
        real("curation_threshold", 0.0, 1.0, optional=True, low_open=True)
        real("density_ratio_clip", 1.0, optional=True)
        real("speaker_variety", 0.0)
        for field in ("constant_updates", "latent_interpolation"):
            if not isinstance(getattr(self, field), (bool, np.bool_)):
                fail(field, getattr(self, field), "true or false")
            object.__setattr__(self, field, bool(getattr(self, field)))
        if not _integer(self.curation_tries) or self.curation_tries < 1:
            fail("curation_tries", self.curation_tries, "an int >= 1 (rounds of draws for rejected samples)")
        if not _integer(self.pretrain_epochs) or self.pretrain_epochs < 0:
            fail("pretrain_epochs", self.pretrain_epochs, "an int >= 0 (0 = no pretraining on synthetic rows)")

    @property
    def tag(self) -> str:
        """Short name of the non-default knobs for experiment unit keys ('' for the default recipe)."""
        parts = []
        for field, prefix in _TAG_PREFIXES.items():
            value = getattr(self, field)
            if value == getattr(Recipe, field):  # the default: not in the tag
                continue
            parts.append(prefix if isinstance(value, bool) else f"{prefix}{value:g}")
            if field == "curation_threshold" and self.curation_tries != Recipe.curation_tries:
                parts[-1] += f"x{self.curation_tries}"
        return "+".join(parts)

    def to_dict(self) -> dict:
        """JSON-ready fields (``from_dict`` restores an equal recipe)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Recipe:
        """A recipe from a mapping of field values (e.g. parsed JSON); unknown fields are refused by name."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a recipe must be a mapping of field names to values, got {type(data).__name__}")
        fields = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; the fields are: {', '.join(fields)}")
        return cls(**data)

    def classifier_options(self, classifier: str) -> dict:
        """``make_classifier`` overrides this recipe needs (only the DNN has training-schedule knobs)."""
        if classifier != "dnn":
            return {}
        options = {"constant_updates": True} if self.constant_updates else {}
        return {**options, "pretrain_epochs": self.pretrain_epochs} if self.pretrain_epochs else options


#: Each knob's prefix in :attr:`Recipe.tag` (``curation_tries`` is appended to the threshold as ``x<tries>``).
_TAG_PREFIXES = {
    "synthetic_weight": "w",
    "ratio": "ratio",
    "constant_updates": "cu",
    "calibration": "cal",
    "curation_threshold": "tau",
    "density_ratio_clip": "dr",
    "latent_interpolation": "lerp",
    "pretrain_epochs": "pre",
    "speaker_variety": "spk",
}


def as_recipe(recipe) -> Recipe:
    """``None`` → the default recipe; a mapping → :meth:`Recipe.from_dict`; a :class:`Recipe` as it is."""
    if recipe is None:
        return Recipe()
    if isinstance(recipe, Recipe):
        return recipe
    return Recipe.from_dict(recipe)


@dataclasses.dataclass
class AugmentedTrainingSet:
    """Real rows followed by synthetic rows, with per-row loss weights (real rows 1).

    Unpacks as ``x, y, sample_weight = training_set``; :meth:`fit_kwargs` gives the classifiers' extra ``fit``
    arguments (``sample_weight`` and the ``synthetic`` mask).
    """

    x: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    synthetic: np.ndarray
    diagnostics: dict

    def __iter__(self):
        return iter((self.x, self.y, self.sample_weight))

    def fit_kwargs(self) -> dict:
        return {"sample_weight": self.sample_weight, "synthetic": self.synthetic}


def requested_labels(y, k: int, ratio: float | None) -> np.ndarray:
    """Labels of the synthetic rows: ``k`` copies of ``y`` (Yi & Mak's k sets), or ``round(ratio · n_c)`` of each
    class ``c`` (classes in increasing order)."""
    if ratio is None:
        return np.tile(y, k)
    classes, counts = np.unique(y, return_counts=True)
    return np.repeat(classes, np.round(ratio * counts).astype(np.int64))


def augmented_training_set(
    x, y, augmenter, *, k: int, seed: int = 0, recipe=None, n_classes: int | None = None, groups=None
) -> AugmentedTrainingSet:
    """Apply ``recipe`` to a fitted ``augmenter``: the classifier's training rows, weights and diagnostics.

    Order of the steps: draw (the augmenter's samples, or latent interpolations), speaker offsets, calibration
    (its per-class map estimated on the first draw of the whole requested set and applied to every later draw),
    curation (rounds of draws until every requested sample passes or ``curation_tries`` runs out), then the
    loss weights (``synthetic_weight`` × importance weights).

    Args:
        x, y: the real training rows in the space the augmenter was fitted in (normalised).
        augmenter: fitted, with ``sample(labels, seed)`` (:mod:`serzoo.augmenters`).
        k: synthetic sets (ignored when ``recipe.ratio`` is set).
        seed: seed of the sampling (the default recipe calls ``augmenter.sample(np.tile(y, k), seed)`` exactly as
            :func:`serzoo.augmenters.augmented_sets`) and of the recipe's own draws.
        recipe: a :class:`Recipe`, a mapping of its fields, or None (default recipe).
        n_classes: number of classes, checked against ``y`` (None: any label >= 0).
        groups: the speaker of every real row (needed by ``speaker_variety`` only).

    Returns:
        :class:`AugmentedTrainingSet`; ``diagnostics`` holds ``n_real``, ``n_requested``, ``n_synthetic``,
        ``acceptance_rate`` (accepted / drawn over all rounds; None without curation), ``acceptance_by_class``,
        ``shortfall`` (requested samples no round produced), ``calibration_mean_gap`` and
        ``calibration_spread_ratio`` (before calibration: RMS over features of the class-mean gap, mean ratio of
        synthetic to real per-feature std), ``importance_weights`` (min / max / effective sample fraction) and
        ``seconds``.
    """
    start = time.perf_counter()
    recipe = as_recipe(recipe)
    x, y = check_training_data(x, y, n_classes)
    labels = requested_labels(y, check_k(k), recipe.ratio)
    diagnostics = {
        "n_real": int(y.size),
        "n_requested": int(labels.size),
        "acceptance_rate": None,
        "shortfall": 0,
        "acceptance_by_class": None,
        "calibration_mean_gap": None,
        "calibration_spread_ratio": None,
        "importance_weights": None,
    }
    draw = _make_sampler(augmenter, x, y, recipe, groups, seed)
    calibrator = Calibrator(recipe.calibration).fit_real(x, y) if recipe.calibration else None
    if labels.size == 0:
        x_syn, y_syn = np.zeros((0, x.shape[1]), np.float32), labels
    elif recipe.curation_threshold is None:
        x_syn, y_syn = draw(labels, seed), labels
        if calibrator:
            x_syn = calibrator.fit(x_syn, y_syn, diagnostics).transform(x_syn, y_syn)
    else:
        x_syn, y_syn = _curate(draw, labels, seed, x, y, recipe, calibrator, diagnostics)
    weights = np.full(len(y_syn), recipe.synthetic_weight)
    if recipe.density_ratio_clip is not None and len(y_syn):
        importance = density_ratio_weights(x, x_syn, recipe.density_ratio_clip, seed=seed)
        weights = weights * importance
        diagnostics["importance_weights"] = {
            "min": float(importance.min()),
            "max": float(importance.max()),
            "effective_fraction": float(importance.sum() ** 2 / (importance**2).sum() / importance.size),
        }
    diagnostics.update(n_synthetic=int(len(y_syn)), seconds=time.perf_counter() - start)
    return AugmentedTrainingSet(
        x=np.concatenate([x, np.asarray(x_syn, np.float32)]),
        y=np.concatenate([y, y_syn.astype(y.dtype)]),
        sample_weight=np.concatenate([np.ones(len(y)), weights]),
        synthetic=np.concatenate([np.zeros(len(y), bool), np.ones(len(y_syn), bool)]),
        diagnostics=diagnostics,
    )


# ----------------------------------------------------------------------------- drawing
def _make_sampler(augmenter, x, y, recipe: Recipe, groups, seed: int):
    """``draw(labels, seed) -> samples``: the augmenter (or latent interpolation), plus speaker offsets."""
    base = LatentInterpolation(augmenter, x, y).sample if recipe.latent_interpolation else augmenter.sample
    if not recipe.speaker_variety:
        return base
    offsets = SpeakerOffsets(x, y, groups)

    def draw(labels, draw_seed):
        return offsets.perturb(base(labels, draw_seed), labels, recipe.speaker_variety, draw_seed)

    return draw


def supports_latent_interpolation(augmenter) -> bool:
    """Whether a fitted augmenter's model has the ``encode``/``decode`` pair that ``Recipe.latent_interpolation``
    needs (ADAN/WADAN, the AAE and M1-M3, and exported generators of these with a ``decode`` endpoint)."""
    model = getattr(augmenter, "model", None)
    return model is not None and callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))


def _encoder_decoder(augmenter):
    model = getattr(augmenter, "model", None)
    if not supports_latent_interpolation(augmenter):
        name = getattr(augmenter, "name", type(augmenter).__name__)
        raise ValueError(
            f"Recipe.latent_interpolation needs a scheme with an encoder and a decoder (adan, wadan, "
            f"aae, m1, m2, m3, or an export of one with a decode endpoint); {name!r} has none: set "
            "latent_interpolation=False, or use 'smote' to interpolate in feature space"
        )
    return model


class LatentInterpolation:
    """Mixup of same-class encoder codes, decoded (Zhang et al. 2018; Verma et al. 2019; see :class:`Recipe`).

    Args:
        augmenter: a fitted :class:`~serzoo.augmenters.SchemeAugmenter` whose model has ``encode`` and ``decoder``.
        x, y: the real training rows whose codes are mixed.
    """

    def __init__(self, augmenter, x, y):
        self.model = _encoder_decoder(augmenter)
        self.codes = np.asarray(self.model.encode(np.asarray(x, np.float32)))
        self.by_class = {int(c): np.flatnonzero(y == c) for c in np.unique(y)}

    def sample(self, labels, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        labels = np.asarray(labels)
        mixed = np.empty((labels.size, self.codes.shape[1]), np.float32)
        for c in np.unique(labels):
            rows = np.flatnonzero(labels == c)
            first, second = (rng.choice(self.by_class[int(c)], rows.size) for _ in range(2))
            lam = rng.uniform(size=(rows.size, 1))
            mixed[rows] = lam * self.codes[first] + (1 - lam) * self.codes[second]
        return np.asarray(self.model.decode(mixed), np.float32)


class SpeakerOffsets:
    """Class-balanced speaker mean offsets of the real training rows (see ``Recipe.speaker_variety``)."""

    def __init__(self, x, y, groups):
        if groups is None:
            raise ValueError("Recipe.speaker_variety needs the speaker of every real training row: pass groups=")
        groups = np.asarray(groups)
        if groups.shape != (len(x),):
            raise ValueError(f"groups must name the speaker of each of the {len(x)} rows, got shape {groups.shape}")
        class_means = {c: x[y == c].mean(axis=0) for c in np.unique(y)}
        self.offsets = np.stack(
            [
                np.mean(
                    [x[(groups == g) & (y == c)].mean(axis=0) - class_means[c] for c in np.unique(y[groups == g])],
                    axis=0,
                )
                for g in np.unique(groups)
            ]
        ).astype(np.float32)

    def perturb(self, samples, labels, strength: float, seed: int) -> np.ndarray:
        rng = np.random.default_rng([seed, 2])
        return samples + strength * self.offsets[rng.integers(len(self.offsets), size=len(labels))]


# ----------------------------------------------------------------------------- calibration
class Calibrator:
    """Per-class, per-feature moment matching of synthetic to real samples (``Recipe.calibration``)."""

    def __init__(self, strength: float):
        self.strength = strength

    def fit_real(self, x, y) -> Calibrator:
        x = np.asarray(x, np.float64)
        self.real = {int(c): (x[y == c].mean(axis=0), x[y == c].std(axis=0)) for c in np.unique(y)}
        return self

    def fit(self, x_syn, y_syn, diagnostics: dict | None = None) -> Calibrator:
        """Estimate the synthetic moments (the map of each class) on ``x_syn``."""
        x_syn = np.asarray(x_syn, np.float64)
        self.synthetic = {
            int(c): (x_syn[y_syn == c].mean(axis=0), x_syn[y_syn == c].std(axis=0)) for c in np.unique(y_syn)
        }
        if diagnostics is not None:
            gaps = [np.sqrt(np.mean((m - self.real[c][0]) ** 2)) for c, (m, _) in self.synthetic.items()]
            ratios = [np.mean(s[r > 0] / r[r > 0]) for c, (_, s) in self.synthetic.items() for r in [self.real[c][1]]]
            diagnostics.update(
                calibration_mean_gap=float(np.mean(gaps)), calibration_spread_ratio=float(np.mean(ratios))
            )
        return self

    def transform(self, x_syn, y_syn) -> np.ndarray:
        x_syn = np.asarray(x_syn, np.float64)
        out = x_syn.copy()
        for c in np.unique(y_syn):
            rows = y_syn == c
            (mean_s, std_s), (mean_r, std_r) = self.synthetic[int(c)], self.real[int(c)]
            scale = np.where(std_s > 1e-12, std_r / np.where(std_s > 1e-12, std_s, 1.0), 1.0)
            mapped = (x_syn[rows] - mean_s) * scale + mean_r
            out[rows] = (1 - self.strength) * x_syn[rows] + self.strength * mapped
        return out.astype(np.float32)


# ----------------------------------------------------------------------------- curation and weights
def real_data_classifier(x, y, seed: int = 0):
    """The curation classifier: multinomial logistic regression on the real training rows."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=seed).fit(x, y)


def _curate(draw, labels, seed, x, y, recipe: Recipe, calibrator, diagnostics):
    classifier = real_data_classifier(x, y, seed)
    column = {int(c): i for i, c in enumerate(classifier.classes_)}
    kept_x, kept_y, pending = [], [], labels
    drawn = np.zeros(labels.max() + 1, np.int64)
    accepted = np.zeros_like(drawn)
    for attempt in range(recipe.curation_tries):
        samples = draw(pending, seed + _ROUND_SEED_STRIDE * attempt)
        if calibrator:
            if attempt == 0:
                calibrator.fit(samples, pending, diagnostics)
            samples = calibrator.transform(samples, pending)
        confidence = classifier.predict_proba(samples)[np.arange(pending.size), [column[int(c)] for c in pending]]
        passed = confidence >= recipe.curation_threshold
        drawn += np.bincount(pending, minlength=drawn.size)
        accepted += np.bincount(pending[passed], minlength=drawn.size)
        kept_x.append(samples[passed])
        kept_y.append(pending[passed])
        pending = pending[~passed]
        if not pending.size:
            break
    diagnostics.update(
        acceptance_rate=float(accepted.sum() / drawn.sum()),
        shortfall=int(pending.size),
        acceptance_by_class={int(c): float(accepted[c] / drawn[c]) for c in np.flatnonzero(drawn)},
    )
    return np.concatenate(kept_x), np.concatenate(kept_y)


def density_ratio_weights(x_real, x_syn, clip: float, *, seed: int = 0, folds: int = 3) -> np.ndarray:
    """Importance weights of synthetic rows, ``w ∝ c / (1 − c)`` with ``c`` = P(real | x) of a logistic regression
    telling real from synthetic rows, out-of-fold (``folds``-fold cross-fitting, so a sample never scores
    itself), self-normalised to mean 1 and clipped to ``[1 / clip, clip]`` (Grover et al. 2019, Sec. 3: the
    classifier-based density ratio with self-normalisation and clipping)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    features = np.concatenate([x_real, x_syn]).astype(np.float64)
    is_real = np.concatenate([np.ones(len(x_real), int), np.zeros(len(x_syn), int)])
    splits = min(folds, len(x_real), len(x_syn))
    if splits < 2:
        return np.ones(len(x_syn))
    probability = cross_val_predict(
        LogisticRegression(max_iter=1000),
        features,
        is_real,
        method="predict_proba",
        cv=StratifiedKFold(splits, shuffle=True, random_state=seed),
    )[len(x_real) :, 1]
    probability = np.clip(probability, 1e-6, 1 - 1e-6)
    ratio = probability / (1 - probability)
    return np.clip(ratio / ratio.mean(), 1 / clip, clip)
