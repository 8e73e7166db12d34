"""Augmentation methods: one interface, label-faithful samples, errors."""

import numpy as np
import pytest

from serzoo import augmenters as augment
from serzoo.models import get_scheme, scheme_names
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS, tiny_data


@pytest.mark.parametrize("method", ["duplicate", "noise", "smote"])
def test_non_neural_methods_sample_requested_labels(method):
    x, y = tiny_data()
    aug = augment.make_augmenter(method).fit(x, y, N_CLASSES)
    x_syn, y_syn = augment.augmented_sets(aug, y, k=3, seed=5)
    assert x_syn.shape == (3 * len(y), FEATURES) and np.array_equal(y_syn, np.tile(y, 3))
    np.testing.assert_array_equal(x_syn, augment.augmented_sets(aug, y, k=3, seed=5)[0])
    means = np.stack([x[y == k].mean(0) for k in range(N_CLASSES)])
    nearest = ((x_syn[:, None] - means[None]) ** 2).sum(-1).argmin(1)
    assert np.mean(nearest == y_syn) > 0.85  # samples stay in their class's region


def test_duplicate_copies_and_noise_perturbs_and_smote_interpolates():
    x, y = tiny_data()
    labels = np.zeros(20, np.int64)
    dup = augment.make_augmenter("duplicate").fit(x, y, N_CLASSES).sample(labels)
    assert all(any(np.array_equal(row, real) for real in x[y == 0]) for row in dup)
    noisy = augment.make_augmenter("noise", sigma=0.5).fit(x, y, N_CLASSES).sample(labels)
    assert not any(np.allclose(noisy[0], real) for real in x)
    smote = augment.make_augmenter("smote").fit(x, y, N_CLASSES).sample(labels)
    lo, hi = x[y == 0].min(0), x[y == 0].max(0)
    assert np.all((smote >= lo - 1e-5) & (smote <= hi + 1e-5))  # convex combinations of class 0


@pytest.mark.slow  # XLA compiles each scheme's train step for 30-100 s; every scheme trains without it in test_registry
@pytest.mark.parametrize("method", scheme_names(generator=True))
def test_scheme_augmenters(method, monkeypatch):
    monkeypatch.setenv(augment.XLA_ENV, "1")  # the production path (the rest of the suite trains without XLA)
    small = TINY_OPTIONS.get(method, {})
    x, y = tiny_data(frames=small.get("crop_frames"))  # frame-level schemes augment fixed-length crops
    aug = augment.make_augmenter(method, epochs=2, **small).fit(x, y, N_CLASSES)
    assert aug.jit_compile and aug.model.jit_compile
    x_syn, y_syn = augment.augmented_sets(aug, y, k=2, seed=1)
    assert x_syn.shape == (2 * len(y), *x.shape[1:]) and np.isfinite(x_syn).all()
    assert len(aug.models_) == N_CLASSES
    assert (len({id(m) for m in aug.models_.values()}) == 3) == get_scheme(method).per_class
    assert all(np.isfinite(v).all() for v in aug.history_.values())


def test_errors():
    x, y = tiny_data()
    with pytest.raises(ValueError, match="unknown augmentation method 'mixup'"):
        augment.make_augmenter("mixup")
    aug = augment.make_augmenter("duplicate").fit(x[y < 2], y[y < 2], N_CLASSES)
    with pytest.raises(ValueError, match="cannot sample classes \\[2\\]"):
        aug.sample(np.array([0, 2]))
    with pytest.raises(ValueError, match="k \\(the number of synthetic sets\\) must be"):
        augment.augmented_sets(aug, y, -1)
    with pytest.raises(ValueError, match="x must be 2-D"):
        aug.fit(x[:, 0], y, N_CLASSES)


def _with_non_finite(x, y):
    x = x.copy()
    x[3, 5], x[7, 5] = np.nan, np.inf
    return x, y


BAD_TRAINING_DATA = {  # name: (make bad (x, y) from good ones, expected message)
    "nan_and_inf_in_x": (_with_non_finite, r"x has 2 non-finite value\(s\) \(NaN/inf.* in 2 row\(s\) and 1 column"),
    "x_beyond_float32": (lambda x, y: (np.where(x > 2.5, 1e300, x.astype(np.float64)), y), "x has .* non-finite"),
    "fractional_labels": (lambda x, y: (x, y + 0.7), r"y has 48 label\(s\) that are not whole numbers \(e.g. 0.7\)"),
    "nan_label": (lambda x, y: (x, np.where(y == 1, np.nan, y)), "y has 16 label.* not whole numbers"),
    "string_labels": (lambda x, y: (x, np.array(["ang", "hap", "sad"])[y]), "y holds strings .*'ang'.*np.unique"),
    "object_labels": (lambda x, y: (x, np.array([None, *y[1:]], dtype=object)), "y holds objects"),
    "empty": (lambda x, y: (x[:0], y[:0]), "x has 0 rows and 12 columns"),
    "x_1d": (
        lambda x, y: (x[:, 0], y),
        r"x must be 2-D \[n_samples, n_features\]( or 3-D frame crops \[n, frames, "
        r"features\])?, got shape \(48,\)",
    ),
    "x_strings": (lambda x, y: (x.astype(str), y), "x must hold numbers"),
    "short_y": (lambda x, y: (x, y[:-1]), "y has 47 labels but x has 48 rows"),
    "label_too_big": (lambda x, y: (x, np.where(y == 2, 3, y)), r"y has labels outside 0..2: \[3\]"),
    "negative_label": (lambda x, y: (x, np.where(y == 2, -1, y)), r"y has (labels outside 0..2|negative labels): .-1"),
}
SMALL_ADAN = dict(latent_dim=4, noise_dim=4, autoencoder_width=16, width=8)


def _fit_entry_points(tiny_export):
    """Every API entry point that takes training data, as ``f(x, y)`` with 3 classes."""
    return {
        "augment": lambda x, y: augment.augment(x, y, "duplicate", k=1, n_classes=N_CLASSES),
        "augment_export": lambda x, y: augment.augment(x, y, str(tiny_export), k=1),
        "duplicate.fit": lambda x, y: augment.make_augmenter("duplicate").fit(x, y, N_CLASSES),
        "smote.fit": lambda x, y: augment.make_augmenter("smote").fit(x, y, N_CLASSES),
        "adan.fit": lambda x, y: augment.make_augmenter("adan", epochs=1, **SMALL_ADAN).fit(x, y, N_CLASSES),
        "exported.fit": lambda x, y: augment.ExportedGenerator(tiny_export).fit(x, y, N_CLASSES),
    }


@pytest.mark.parametrize("case", BAD_TRAINING_DATA)
@pytest.mark.parametrize(
    "entry", ["augment", "augment_export", "duplicate.fit", "smote.fit", "adan.fit", "exported.fit"]
)
def test_bad_training_data_is_refused_before_fitting(tiny_export, monkeypatch, entry, case):
    def no_fitting(*args, **kwargs):
        raise AssertionError("fitting started on bad input")

    monkeypatch.setattr(augment.SchemeAugmenter, "_train", no_fitting)
    make_bad, message = BAD_TRAINING_DATA[case]
    with pytest.raises(ValueError, match=message):
        _fit_entry_points(tiny_export)[entry](*make_bad(*tiny_data()))


@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 1.5], r"labels has 1 label\(s\) that are not whole numbers \(e.g. 1.5\)"),
        (["a", "b"], "labels holds strings"),
        ([[0, 1]], r"labels must be 1-D class ids, got shape \(1, 2\)"),
        ([0, -1], r"labels has (negative labels|labels outside 0..2): \[-1\]"),
    ],
)
@pytest.mark.parametrize("entry", ["duplicate", "exported"])
def test_bad_labels_to_sample_are_refused(tiny_export, entry, labels, message):
    x, y = tiny_data()
    generator = (
        augment.make_augmenter("duplicate") if entry == "duplicate" else augment.ExportedGenerator(tiny_export)
    ).fit(x, y, N_CLASSES)
    with pytest.raises(ValueError, match=message):
        generator.sample(labels)
    if entry == "exported":
        with pytest.raises(ValueError, match=r"labels has labels outside 0..2: \[3\]"):
            generator.sample([0, 3])


@pytest.mark.parametrize("k", [-1, 1.5, 2.0, "2", True, None])
def test_bad_k_is_refused_before_fitting(monkeypatch, k):
    x, y = tiny_data()
    aug = augment.make_augmenter("duplicate").fit(x, y, N_CLASSES)

    def no_fitting(*args, **kwargs):
        raise AssertionError("fitting started with a bad k")

    monkeypatch.setattr(augment.Duplicate, "fit", no_fitting)
    if k is not None:  # augment's k=None is its default: one set, or a preset's k (tests/test_zoo.py)
        with pytest.raises(
            ValueError, match=f"k \\(the number of synthetic sets\\) must be a non-negative int, got {k!r}"
        ):
            augment.augment(x, y, "duplicate", k=k)
    with pytest.raises(ValueError, match="k \\(the number of synthetic sets\\) must be"):
        augment.augmented_sets(aug, y, k)


def test_augment_makes_one_set_when_k_is_not_given():
    x, y = tiny_data()
    assert len(augment.augment(x, y, "duplicate")[1]) == 2 * len(y)


def test_bad_y_train_of_augmented_sets():
    x, y = tiny_data()
    aug = augment.make_augmenter("duplicate").fit(x, y, N_CLASSES)
    with pytest.raises(ValueError, match="y_train has 48 label.* not whole numbers"):
        augment.augmented_sets(aug, y + 0.5, 1)


def test_whole_valued_float_labels_are_accepted_as_ints():
    x, y = tiny_data()
    x_int, y_int = augment.augment(x, y, "noise", k=2, seed=3)
    x_float, y_float = augment.augment(x, y.astype(np.float64), "noise", k=2, seed=3)
    assert y_float.dtype == np.int64 and np.array_equal(y_float, y_int)
    np.testing.assert_array_equal(x_float, x_int)


def test_a_per_class_scheme_trains_one_model_per_class():
    """``per_class`` specs (generators that ignore labels) train one model per class present in the data."""
    from serzoo.models import SchemeSpec, register_scheme, unregister_scheme

    register_scheme(
        SchemeSpec(
            "gan_sequential",
            "serzoo.models.gan:build_gan",
            "one GAN per class",
            "test",
            {"conditional": False},
            exportable=False,
            per_class=True,
        )
    )
    try:
        x, y = tiny_data()
        aug = augment.make_augmenter("gan_sequential", epochs=2, **TINY_OPTIONS["gan"]).fit(
            x[y < 2], y[y < 2], N_CLASSES
        )
        assert sorted(aug.models_) == [0, 1] and len({id(m) for m in aug.models_.values()}) == 2
        assert set(aug.history_) == {
            f"class{k}_{loss}" for k in (0, 1) for loss in ("discriminator_loss", "generator_loss")
        }
        assert aug.sample(np.array([1, 0, 1]), seed=2).shape == (3, FEATURES)
    finally:
        unregister_scheme("gan_sequential")


def test_misspelt_method_is_neither_a_method_nor_an_export():
    x, y = tiny_data()
    with pytest.raises(
        ValueError,
        match="'smot' is neither a known augmentation method \\(duplicate, noise, smote, "
        ".*adan.*\\) nor an existing folder of an exported generator",
    ):
        augment.augment(x, y, "smot")


def test_a_scheme_refuses_examples_of_another_shape():
    x, y = tiny_data(frames=4)
    with pytest.raises(ValueError, match=r"adan takes examples of shape \(12,\).*\[n, features\] vectors"):
        augment.make_augmenter("adan", epochs=1, **TINY_OPTIONS["adan"]).fit(x, y, N_CLASSES)


@pytest.mark.parametrize("method", ["duplicate", "noise", "smote", "adan"])
def test_sample_before_fit_says_fit_first(method):
    """Issue 35 case 22: SchemeAugmenter.sample before fit raised AttributeError ... models_ (baselines: by_class_)."""
    from sklearn.exceptions import NotFittedError

    augmenter = augment.make_augmenter(method, **TINY_OPTIONS.get(method, {}))
    with pytest.raises(NotFittedError, match=f"augmenter '{method}' is not fitted: call fit\\(x, y, n_classes\\)"):
        augmenter.sample([0, 1])
    assert issubclass(NotFittedError, ValueError)  # a bad-input error: one line from the command line


@pytest.mark.parametrize(
    "method, options, message",
    [
        ("noise", {"sigma": -1}, "noise: sigma .* must be a finite number >= 0, got -1"),
        ("noise", {"sigma": float("nan")}, "must be a finite number >= 0, got nan"),
        ("smote", {"k_neighbors": 0}, "smote: k_neighbors must be an int >= 1, got 0"),
    ],
)
def test_bad_baseline_options_are_refused_when_made(method, options, message):
    """Issue 35 case 22: make_augmenter("noise", sigma=-1) failed only at sample, with numpy's "scale < 0"."""
    with pytest.raises(ValueError, match=message):
        augment.make_augmenter(method, **options)


def test_a_huge_k_is_refused_before_anything_is_fitted_or_loaded(tiny_export, monkeypatch):
    """Issue 35 case 13: augment(x, y, preset, k=10**6) on 3 rows ran TF out of memory, then segfaulted (exit 139).
    k x rows is bounded by the memory available, with a clear error, before any sampling."""
    from serzoo import validation

    x, y = tiny_data()
    x, y = x[:3], np.array([0, 1, 2])
    monkeypatch.setattr(validation, "available_memory", lambda: 2**30)  # 1 GiB free
    for method in (str(tiny_export), "noise"):
        with pytest.raises(ValueError, match=r"synthetic rows \(k=10000000 sets of 3 rows\) of 12 features need about"):
            augment.augment(x, y, method, k=10**7)
        assert augment.augment(x, y, method, k=2)[0].shape == (9, 12)  # small enough: fine
    noise = augment.make_augmenter("noise").fit(x, y, 3)
    with pytest.raises(ValueError, match="lower k"):
        augment.augmented_sets(noise, y, 10**7)


def test_generators_sample_in_bounded_batches(tiny_export, monkeypatch):
    """Issue 35 case 13: one generate call per requested row set made a graph as large as k x rows. Calls now hold at
    most SAMPLE_BATCH rows; up to that, the rows are exactly those of one call (results made before are unchanged)."""
    generator = augment.ExportedGenerator(tiny_export)
    labels = np.arange(10) % 3
    whole = generator.sample(labels, seed=5)
    monkeypatch.setattr(augment, "SAMPLE_BATCH", 4)
    batched = generator.sample(labels, seed=5)
    assert batched.shape == (10, 12)
    np.testing.assert_array_equal(batched[:4], whole[:4])  # the first batch: the same call as before
    np.testing.assert_array_equal(batched[4:8], generator.sample(labels[4:8], seed=5 + 7919))
    assert not np.allclose(batched[4:8], batched[:4])  # later batches draw other noise
