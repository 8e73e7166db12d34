"""Augmentation recipes: every knob changes what it names (and nothing when off), weights reach the classifiers."""

import json

import numpy as np
import pytest

from serzoo import augmenters
from serzoo.models.classifiers import DnnClassifier, LinearSvm
from serzoo.recipes import Recipe, augmented_training_set, density_ratio_weights
from serzoo.schedules import training_for
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS, tiny_data

ALL_KNOBS = dict(
    synthetic_weight=0.25,
    ratio=1.5,
    constant_updates=True,
    calibration=0.5,
    curation_threshold=0.8,
    curation_tries=3,
    density_ratio_clip=5,
    latent_interpolation=True,
    pretrain_epochs=4,
    speaker_variety=0.5,
)


def separated_data(n=60, gap=6.0, seed=0):
    """Three classes far apart (a logistic regression is near certain at each class centre)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % N_CLASSES
    return (rng.normal(0, 1, (n, FEATURES)) + gap * np.eye(N_CLASSES, FEATURES)[y]).astype(np.float32), y


class Stub:
    """A fitted "augmenter" whose samples are set by a function of (labels, rng); it counts the rows drawn."""

    name = "stub"

    def __init__(self, make):
        self.make, self.drawn = make, 0

    def sample(self, labels, seed=0):
        self.drawn += len(labels)
        return self.make(np.asarray(labels), np.random.default_rng(seed)).astype(np.float32)


# ----------------------------------------------------------------------------- the Recipe object
def test_default_recipe_is_todays_augmentation():
    x, y = tiny_data()
    assert Recipe().tag == "" and Recipe().classifier_options("dnn") == {} == Recipe().classifier_options("svm")
    dup = augmenters.make_augmenter("noise").fit(x, y, N_CLASSES)
    built = augmented_training_set(x, y, dup, k=3, seed=5)
    x_syn, y_syn = augmenters.augmented_sets(dup, y, k=3, seed=5)
    np.testing.assert_array_equal(built.x, np.concatenate([x, x_syn]))
    np.testing.assert_array_equal(built.y, np.concatenate([y, y_syn]))
    assert np.all(built.sample_weight == 1) and built.synthetic.sum() == 3 * len(y) and not built.synthetic[:48].any()
    x_unpacked, _, weights = built
    assert x_unpacked is built.x and weights is built.sample_weight
    assert built.diagnostics["n_synthetic"] == built.diagnostics["n_requested"] == 144
    assert built.diagnostics["acceptance_rate"] is None


def test_recipe_json_round_trip_tag_and_classifier_options():
    recipe = Recipe(**ALL_KNOBS)
    assert Recipe.from_dict(json.loads(json.dumps(recipe.to_dict()))) == recipe
    assert recipe.tag == "w0.25+ratio1.5+cu+cal0.5+tau0.8x3+dr5+lerp+pre4+spk0.5"
    assert recipe.density_ratio_clip == 5.0 and isinstance(recipe.density_ratio_clip, float)
    assert recipe.classifier_options("dnn") == {"constant_updates": True, "pretrain_epochs": 4}
    assert recipe.classifier_options("svm") == {}
    assert Recipe(synthetic_weight=1) == Recipe() and Recipe(synthetic_weight=1).tag == ""


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"synthetic_weight": -1}, r"Recipe.synthetic_weight must be a number >= 0, got -1"),
        ({"calibration": 2}, r"Recipe.calibration must be a number in \[0, 1\], got 2"),
        ({"curation_threshold": 0}, r"Recipe.curation_threshold must be a number in \(0, 1\] or None \(off\), got 0"),
        ({"ratio": "2"}, r"Recipe.ratio must be a number >= 0 or None \(off\), got '2'"),
        ({"density_ratio_clip": 0.5}, r"Recipe.density_ratio_clip must be a number >= 1 or None"),
        ({"constant_updates": 1}, r"Recipe.constant_updates must be true or false, got 1"),
        ({"pretrain_epochs": 2.5}, r"Recipe.pretrain_epochs must be an int >= 0"),
        ({"curation_tries": 0}, r"Recipe.curation_tries must be an int >= 1"),
        ({"speaker_variety": float("nan")}, r"Recipe.speaker_variety must be a number >= 0"),
        ({"weight": 0.5}, r"unknown recipe field\(s\) \['weight'\]; the fields are: synthetic_weight, ratio"),
    ],
)
def test_bad_recipes_name_the_field(fields, message):
    with pytest.raises(ValueError, match=message):
        Recipe.from_dict(fields)


# ----------------------------------------------------------------------------- weighting
def test_ratio_replaces_k_and_keeps_the_label_distribution():
    x, y = tiny_data(n=45)  # 15 per class
    built = augmented_training_set(x, y, augmenters.Duplicate().fit(x, y, N_CLASSES), k=7, recipe={"ratio": 0.4})
    assert np.bincount(built.y[built.synthetic]).tolist() == [6, 6, 6]
    assert (
        augmented_training_set(
            x, y, augmenters.Duplicate().fit(x, y, N_CLASSES), k=0, recipe={"ratio": 2}
        ).synthetic.sum()
        == 90
    )


def test_synthetic_weight_reaches_the_rows():
    x, y = tiny_data()
    built = augmented_training_set(
        x, y, augmenters.Duplicate().fit(x, y, N_CLASSES), k=2, recipe=Recipe(synthetic_weight=0.3)
    )
    assert np.all(built.sample_weight[built.synthetic] == 0.3) and np.all(built.sample_weight[:48] == 1)


def _noisy_augmented(weight, seed=0):
    """Real tiny data plus two sets of heavily perturbed, partly mislabelled synthetic rows."""
    x, y = tiny_data()
    make = Stub(lambda labels, rng: rng.normal(0, 3, (labels.size, FEATURES)))
    return x, y, augmented_training_set(x, y, make, k=2, seed=seed, recipe=Recipe(synthetic_weight=weight))


def test_svm_with_synthetic_weight_0_is_the_unaugmented_svm():
    x, y, zero = _noisy_augmented(0.0)
    x_test = np.random.default_rng(9).normal(0, 2, (200, FEATURES)).astype(np.float32)
    reference = LinearSvm(c=10).fit(x, y)
    np.testing.assert_array_equal(
        LinearSvm(c=10)
        .fit(zero.x, zero.y, **zero.fit_kwargs())
        .model_.decision_function(x_test @ x.T.astype(np.float64)),
        reference.model_.decision_function(x_test @ x.T.astype(np.float64)),
    )
    _, _, half = _noisy_augmented(0.5)
    _, _, full = _noisy_augmented(1.0)
    half_svm = LinearSvm(c=10).fit(half.x, half.y, sample_weight=half.sample_weight)
    full_svm = LinearSvm(c=10).fit(full.x, full.y, sample_weight=full.sample_weight)
    assert not np.array_equal(half_svm.model_.dual_coef_, full_svm.model_.dual_coef_)  # the weight is applied
    assert not np.array_equal(half_svm.predict(x_test), reference.predict(x_test))


@pytest.mark.parametrize("constant_updates", [False, True])
def test_dnn_with_synthetic_weight_0_is_the_unaugmented_dnn(constant_updates):
    """Weight-0 rows are dropped before training: the same batches, updates and predictions, bit for bit."""
    x, y, zero = _noisy_augmented(0.0)
    options = dict(hidden=(8,), epochs=3, learning_rate=1e-2, seed=2, batch_size=16, constant_updates=constant_updates)
    reference = DnnClassifier(**options).fit(x, y, N_CLASSES).predict_proba(x)
    got = DnnClassifier(**options).fit(zero.x, zero.y, N_CLASSES, **zero.fit_kwargs()).predict_proba(x)
    np.testing.assert_array_equal(got, reference)
    _, _, tiny_weight = _noisy_augmented(1e-3)
    moved = DnnClassifier(**options).fit(tiny_weight.x, tiny_weight.y, N_CLASSES, **tiny_weight.fit_kwargs())
    assert not np.array_equal(moved.predict_proba(x), reference)


def test_dnn_sample_weight_scales_the_loss_as_keras_fit():
    """The compiled engine's weighted loss is Keras' (class weight × sample weight, sum over batch size)."""
    x, y, half = _noisy_augmented(0.5)
    options = dict(hidden=(8,), epochs=2, learning_rate=1e-2, seed=1)
    compiled = DnnClassifier(**options).fit(half.x, half.y, N_CLASSES, sample_weight=half.sample_weight)
    keras_fit = DnnClassifier(**options, engine="keras")
    model = keras_fit.build_model(FEATURES, N_CLASSES)
    from serzoo.models.classifiers import balanced_class_weights

    class_weight = balanced_class_weights(half.y, N_CLASSES, sample_weight=half.sample_weight)
    weights = np.array([class_weight[k] for k in range(N_CLASSES)])[half.y] * half.sample_weight
    for order in keras_fit.epoch_orders(len(half.y)):
        model.fit(
            half.x[order],
            half.y[order],
            sample_weight=weights[order],
            epochs=1,
            batch_size=32,
            shuffle=False,
            verbose=0,
        )
    for got, want in zip(compiled.model_.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=0)


def test_constant_updates_hold_the_number_of_optimizer_steps():
    x, y, full = _noisy_augmented(1.0)  # 48 real + 96 synthetic rows
    steps = {}
    for constant in (False, True):
        clf = DnnClassifier(hidden=(8,), epochs=5, seed=0, constant_updates=constant)
        clf.fit(full.x, full.y, N_CLASSES, **full.fit_kwargs())
        steps[constant] = int(clf._trainer(FEATURES, N_CLASSES).optimizer.iterations.numpy())
        assert clf.optimizer_steps(48, 96) == steps[constant]
    assert steps == {False: 5 * 5, True: 5 * 2}  # ⌈144 / 32⌉ = 5 and ⌈48 / 32⌉ = 2 per epoch
    assert DnnClassifier(epochs=5, pretrain_epochs=3).optimizer_steps(48, 96) == 3 * 3 + 5 * 2
    orders = list(DnnClassifier(epochs=5)._orders(144, np.random.default_rng(0), 5, steps=9))
    assert [len(o) for o in orders] == [144, 4 * 32]  # an epoch of 5 batches, then one cut after 4 batches
    assert sorted(orders[0].tolist()) == list(range(144))
    with pytest.raises(ValueError, match="constant_updates needs engine='compiled'"):
        DnnClassifier(hidden=(8,), epochs=1, constant_updates=True, engine="keras").fit(
            full.x, full.y, N_CLASSES, **full.fit_kwargs()
        )


# ----------------------------------------------------------------------------- two-stage training
@pytest.mark.slow
def test_pretraining_sees_synthetic_rows_then_fine_tuning_only_real_rows(monkeypatch):
    from serzoo.models import compiled_fit

    x, y, full = _noisy_augmented(1.0)
    options = dict(hidden=(8,), epochs=3, learning_rate=1e-2, seed=0)
    plain = DnnClassifier(**options).fit(full.x, full.y, N_CLASSES, **full.fit_kwargs())
    seen, fit = [], compiled_fit.CompiledTrainer.fit

    def spy(self, model, x_stage, *args):
        seen.append(np.array(x_stage))
        return fit(self, model, x_stage, *args)

    monkeypatch.setattr(compiled_fit.CompiledTrainer, "fit", spy)
    two_stage = DnnClassifier(**options, pretrain_epochs=2).fit(full.x, full.y, N_CLASSES, **full.fit_kwargs())
    assert len(seen) == 2
    np.testing.assert_array_equal(seen[0], full.x[full.synthetic])
    np.testing.assert_array_equal(seen[1], x)  # fine-tuning: the real rows only
    assert not np.allclose(two_stage.predict_proba(x), plain.predict_proba(x))
    real_only = DnnClassifier(**options).fit(x, y, N_CLASSES).predict_proba(x)
    assert not np.allclose(two_stage.predict_proba(x), real_only)  # the pretraining changed the start
    seen.clear()  # no synthetic rows: nothing to pretrain, the plain training exactly
    np.testing.assert_array_equal(
        DnnClassifier(**options, pretrain_epochs=2).fit(x, y, N_CLASSES).predict_proba(x), real_only
    )
    assert len(seen) == 1
    keras_options = dict(options, engine="keras", epochs=2)  # Model.fit: the same two stages, a fresh Adam each
    keras_plain = DnnClassifier(**keras_options).fit(full.x, full.y, N_CLASSES, **full.fit_kwargs())
    keras_two_stage = DnnClassifier(**keras_options, pretrain_epochs=2).fit(
        full.x, full.y, N_CLASSES, **full.fit_kwargs()
    )
    assert not np.allclose(keras_two_stage.predict_proba(x), keras_plain.predict_proba(x))


# ----------------------------------------------------------------------------- calibration
def _shifted_compact(labels, rng):
    return 0.2 * rng.normal(0, 1, (labels.size, FEATURES)) + 1.5 + labels[:, None]


def test_calibration_matches_class_means_and_spreads():
    x, y = tiny_data()
    built = augmented_training_set(x, y, Stub(_shifted_compact), k=3, seed=1, recipe=Recipe(calibration=1.0))
    x_syn, y_syn = built.x[built.synthetic], built.y[built.synthetic]
    for c in range(N_CLASSES):
        np.testing.assert_allclose(x_syn[y_syn == c].mean(0), x[y == c].mean(0), atol=1e-5)
        np.testing.assert_allclose(x_syn[y_syn == c].std(0), x[y == c].std(0), atol=1e-5)
    assert built.diagnostics["calibration_mean_gap"] > 1 and built.diagnostics["calibration_spread_ratio"] < 0.5
    uncalibrated = augmented_training_set(x, y, Stub(_shifted_compact), k=3, seed=1)
    half = augmented_training_set(x, y, Stub(_shifted_compact), k=3, seed=1, recipe=Recipe(calibration=0.5))
    np.testing.assert_allclose(half.x, (uncalibrated.x + built.x) / 2, atol=1e-5)


# ----------------------------------------------------------------------------- curation
def _half_misplaced(labels, rng):
    """Even rows at the requested class's centre, odd rows at the next class's centre."""
    target = np.where(np.arange(labels.size) % 2 == 0, labels, (labels + 1) % N_CLASSES)
    return 6.0 * np.eye(N_CLASSES, FEATURES)[target] + 0.1 * rng.normal(0, 1, (labels.size, FEATURES))


def test_curation_rejects_misplaced_samples_and_reports_the_acceptance_rate():
    x, y = separated_data()
    one_round = augmented_training_set(
        x, y, Stub(_half_misplaced), k=2, recipe=Recipe(curation_threshold=0.9, curation_tries=1)
    )
    x_syn, y_syn = one_round.x[one_round.synthetic], one_round.y[one_round.synthetic]
    assert one_round.diagnostics["acceptance_rate"] == 0.5 and len(y_syn) == 60
    assert one_round.diagnostics["shortfall"] == 60
    assert one_round.diagnostics["acceptance_by_class"] == {0: 0.5, 1: 0.5, 2: 0.5}
    nearest = ((x_syn[:, None] - 6.0 * np.eye(N_CLASSES, FEATURES)[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(nearest, y_syn)  # no misplaced sample is left
    stub = Stub(_half_misplaced)
    refilled = augmented_training_set(x, y, stub, k=2, recipe=Recipe(curation_threshold=0.9))
    assert refilled.synthetic.sum() == 120 and refilled.diagnostics["shortfall"] == 0  # oversampled to the count
    assert refilled.diagnostics["acceptance_rate"] == pytest.approx(120 / stub.drawn) and stub.drawn > 200
    assert np.bincount(refilled.y[refilled.synthetic]).tolist() == [40, 40, 40]


# ----------------------------------------------------------------------------- importance weights
def test_density_ratio_weights_favour_samples_that_look_real():
    rng = np.random.default_rng(0)
    real = rng.normal(0, 1, (80, 4))
    synthetic = np.concatenate([rng.normal(0, 1, (80, 4)), rng.normal(3, 1, (80, 4))])
    weights = density_ratio_weights(real, synthetic, clip=20.0)
    assert weights[:80].mean() > 5 * weights[80:].mean()
    assert weights.min() >= 1 / 20 and weights.max() <= 20
    x, y = tiny_data()
    built = augmented_training_set(
        x, y, Stub(_shifted_compact), k=1, recipe=Recipe(synthetic_weight=0.5, density_ratio_clip=4.0)
    )
    synthetic_weights = built.sample_weight[built.synthetic]
    assert synthetic_weights.std() > 0 and synthetic_weights.min() >= 0.5 / 4 and synthetic_weights.max() <= 2.0
    assert built.diagnostics["importance_weights"]["effective_fraction"] < 1


# ----------------------------------------------------------------------------- latent interpolation
@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["adan", "aae"])  # the two encoder APIs: ADAN/WADAN and the AAE family
def test_latent_interpolation_decodes_mixtures_of_same_class_codes(scheme):
    x, y = tiny_data()
    keep = (y != 2) | (np.arange(len(y)) == np.flatnonzero(y == 2)[0])  # class 2 keeps one sample: one code
    x, y = x[keep], y[keep]
    augmenter = augmenters.SchemeAugmenter(
        scheme,
        training=training_for(scheme, epochs=1),  # no XLA: seconds
        options=TINY_OPTIONS[scheme],
        jit_compile=False,
    ).fit(x, y, N_CLASSES)
    built = augmented_training_set(x, y, augmenter, k=2, seed=3, recipe=Recipe(latent_interpolation=True))
    x_syn, y_syn = built.x[built.synthetic], built.y[built.synthetic]
    reconstruction = np.asarray(augmenter.model(x[y == 2]))
    np.testing.assert_allclose(x_syn[y_syn == 2], np.repeat(reconstruction, 2, axis=0), atol=1e-5)  # only one code
    assert len(np.unique(x_syn[y_syn == 0].round(5), axis=0)) == (y_syn == 0).sum()  # mixtures differ
    generated = augmented_training_set(x, y, augmenter, k=2, seed=3)
    assert not np.allclose(generated.x[generated.synthetic], x_syn)
    with pytest.raises(ValueError, match="latent_interpolation needs a scheme with an encoder.*'duplicate' has none"):
        augmented_training_set(
            x, y, augmenters.Duplicate().fit(x, y, N_CLASSES), k=1, recipe=Recipe(latent_interpolation=True)
        )


# ----------------------------------------------------------------------------- speaker variety
def test_speaker_variety_adds_real_speakers_offsets():
    x, y = tiny_data()
    groups = np.arange(len(y)) // 24  # two speakers; speaker 1 sits 1.0 higher on every feature
    x = x + groups[:, None].astype(np.float32)
    at_class_means = Stub(lambda labels, rng: np.stack([x[y == c].mean(0) for c in range(N_CLASSES)])[labels])
    built = augmented_training_set(x, y, at_class_means, k=4, recipe=Recipe(speaker_variety=1.0), groups=groups)
    x_syn, y_syn = built.x[built.synthetic], built.y[built.synthetic]
    offsets = x_syn - np.stack([x[y == c].mean(0) for c in range(N_CLASSES)])[y_syn]
    expected = [
        np.mean([x[(groups == g) & (y == c)].mean(0) - x[y == c].mean(0) for c in range(N_CLASSES)], axis=0)
        for g in (0, 1)
    ]
    matches = [np.all(np.isclose(offsets, e, atol=1e-5), axis=1) for e in expected]
    assert np.all(matches[0] | matches[1]) and matches[0].any() and matches[1].any()
    assert expected[1].mean() - expected[0].mean() == pytest.approx(1.0, abs=0.4)
    with pytest.raises(ValueError, match="speaker_variety needs the speaker of every real training row: pass groups="):
        augmented_training_set(x, y, at_class_means, k=1, recipe=Recipe(speaker_variety=1.0))


# ----------------------------------------------------------------------------- augment(recipe=...)
def test_augment_applies_a_recipe():
    x, y = tiny_data()
    x = 100 + 10 * x  # augment normalises, applies the recipe, restores the scale
    x_plain, y_plain = augmenters.augment(x, y, "noise", k=2, seed=3)
    x_rec, y_rec, weights = augmenters.augment(x, y, "noise", k=2, seed=3, recipe={})
    np.testing.assert_allclose(x_rec, x_plain, rtol=1e-6)
    assert np.array_equal(y_rec, y_plain) and np.all(weights == 1)
    x_cal, y_cal, weights = augmenters.augment(
        x, y, "noise", k=2, seed=3, recipe=Recipe(calibration=1.0, synthetic_weight=0.5)
    )
    assert np.all(weights[48:] == 0.5) and np.all(weights[:48] == 1)
    for c in range(N_CLASSES):
        np.testing.assert_allclose(x_cal[48:][y_cal[48:] == c].mean(0), x[y == c].mean(0), rtol=1e-4)
    assert not np.allclose(x_cal[48:], x_plain[48:])
    x0, y0, w0 = augmenters.augment(x, y, "noise", k=0, recipe={"synthetic_weight": 0.2})
    assert len(y0) == 48 and np.all(w0 == 1)


def test_augment_applies_a_recipe_to_an_exported_generator(tiny_export):
    x, y = tiny_data()
    x_cal, y_cal, weights = augmenters.augment(x, y, str(tiny_export), k=2, recipe={"calibration": 1.0})
    assert x_cal.shape == (144, FEATURES) and np.all(weights == 1)
    for c in range(N_CLASSES):
        np.testing.assert_allclose(x_cal[48:][y_cal[48:] == c].mean(0), x[y == c].mean(0), atol=1e-4)
        np.testing.assert_allclose(x_cal[48:][y_cal[48:] == c].std(0), x[y == c].std(0), atol=1e-4)
