"""The shared checks every registered scheme passes (``tests/test_registry.py`` runs them on each registry
entry): a 2-epoch fit with finite losses (and the same losses on validation data), a config round trip, a
``.keras`` save/load with identical outputs that trains again, and, for a generator, seeded sampling with requested
labels (a classifier-only scheme, ``SchemeSpec.generator=False``, has no sampling to check)."""

import keras
import numpy as np

N_CLASSES = 3
FEATURES = 12


#: Builder options that make each registered scheme tiny (a scheme without an entry is built with its defaults).
TINY_OPTIONS = {
    "gan": {"noise_dim": 4, "generator_width": 16, "discriminator_width": 8},
    "cgan": {"noise_dim": 4, "generator_width": 16, "discriminator_width": 8},
    "aae": {"width": 16},
    "m1": {"widths": (16, 8, 4)},
    "m2": {"widths": (16, 8, 4)},
    "m3": {
        "widths": (16, 8),
        "discriminator_widths": (16, 8),
        "code_dim": 4,
        "noise_dim": 3,
        "code_generator_width": 8,
        "auxiliary_width": 8,
    },
    "adan": {"latent_dim": 4, "noise_dim": 4, "autoencoder_width": 16, "width": 8},
    "wadan": {"latent_dim": 4, "noise_dim": 4, "autoencoder_width": 16, "width": 8},
    "semi_aae": {"style_dim": 4, "width": 16, "discriminator_width": 8},
    "semi_aae_frames": {
        "crop_frames": 8,
        "filters": (4, 4),
        "final_filters": 4,
        "pool_size": 2,
        "width": 16,
        "style_dim": 4,
        "discriminator_width": 8,
    },
    "dann": {"widths": (16,), "domain_widths": (8,)},
}


def _dann_targets(y):
    from serzoo.models.domain_adversarial import pack_targets

    rows = np.arange(len(y))
    return pack_targets(np.where(rows % 4 == 3, -1, y), rows % 2)  # a quarter unlabelled, two domains


#: What each scheme's ``fit`` takes as ``y`` for the tiny labels (a scheme without an entry: the labels).
TINY_TARGETS = {"dann": _dann_targets}


def tiny_scheme(name: str, seed: int = 1):
    """A tiny untrained model of the registered scheme ``name``, built through the registry (class weights, where
    the scheme has them, from :func:`tiny_data`'s labels)."""
    from serzoo.models import get_scheme

    spec = get_scheme(name)
    labels = {"y": tiny_data()[1]} if spec.class_weights else {}
    return spec.build(FEATURES, N_CLASSES, seed=seed, **labels, **TINY_OPTIONS.get(name, {}))


def tiny_data(n: int = 48, seed: int = 0, frames: int | None = None):
    """Three well-separated Gaussian classes in 12 dimensions (``[n, 12]``, or ``[n, frames, 12]`` sequences
    whose every frame carries its class's offset)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % N_CLASSES
    shape = (n, FEATURES) if frames is None else (n, frames, FEATURES)
    offsets = 2.0 * np.eye(N_CLASSES, FEATURES)[y]
    x = rng.normal(0, 1, shape) + (offsets if frames is None else offsets[:, None, :])
    return x.astype("float32"), y.astype("int32")


def tiny_data_for(model, n: int = 48, seed: int = 0):
    """:func:`tiny_data` shaped like ``model``'s examples (``model.sample_shape``: vectors or frame crops)."""
    shape = model.sample_shape
    return tiny_data(n, seed, frames=shape[0] if len(shape) == 2 else None)


def check_registered(name: str, tmp_path):
    """:func:`check_scheme` on the tiny model of the registered scheme ``name``, as its registry entry says."""
    from serzoo.models import get_scheme

    return check_scheme(
        tiny_scheme(name), tmp_path, generator=get_scheme(name).generator, targets=TINY_TARGETS.get(name)
    )


def check_scheme(model, tmp_path, *, generator: bool = True, targets=None):
    """Tiny 2-epoch fit with finite losses, config round trip, .keras round trip, and (``generator``) labelled
    sampling. ``targets``: maps the tiny labels to the ``y`` the scheme's ``fit`` takes (default: the labels)."""
    x, y = tiny_data_for(model)
    fit_y = y if targets is None else targets(y)
    model.compile()
    history = model.fit(x, fit_y, batch_size=16, epochs=2, verbose=0, validation_data=(x, fit_y))
    assert set(model.LOSSES) <= set(history.history)
    assert all(f"val_{name}" in history.history for name in model.LOSSES)
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), f"{name} not finite: {values}"

    clone = type(model).from_config(model.get_config())
    assert clone.get_config() == model.get_config()

    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    if generator:
        noise = model.noise(len(y), model.noise_dim, seed=7)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(loaded.synthesize(noise, y)),
            keras.ops.convert_to_numpy(model.synthesize(noise, y)),
            atol=1e-5,
        )
    loaded.fit(x, fit_y, batch_size=16, epochs=1, verbose=0)  # the reloaded model trains again
    if not generator:
        return history

    labels = np.array([0, 2, 2, 1], "int32")
    samples = model.generate(labels, seed=3)
    assert samples.shape == (4, *model.sample_shape) and model.sample_shape[-1] == FEATURES
    assert np.isfinite(samples).all()
    np.testing.assert_allclose(samples, model.generate(labels, seed=3))
    return history


def export_tiny(path, *, dataset: str = "tiny", overwrite: bool = False):
    """An untrained tiny ADAN on :func:`tiny_data` (12 features, 3 classes, 4-D codes) exported to ``path``."""
    from serzoo.data import Normalizer
    from serzoo.export import export_generator
    from serzoo.models.adan import build_adan

    x, _ = tiny_data()
    scheme = build_adan(FEATURES, N_CLASSES, latent_dim=4, noise_dim=4, autoencoder_width=16, width=8)
    return export_generator(
        scheme,
        Normalizer("global").fit(x),
        path,
        overwrite=overwrite,
        manifest={"dataset": dataset, "feature_set": "tiny", "class_names": ["a", "b", "c"]},
    )
