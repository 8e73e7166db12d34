"""The per-class GAN as one batched model: each class's G and D see only that class's data, an absent class
keeps its weights and optimizer state, sampling picks each label's generator, and it exports."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from serzoo import export
from serzoo.data import Normalizer
from serzoo.models.per_class_gan import ClassBatches, build_per_class_gan
from tests.scheme_checks import FEATURES, N_CLASSES, tiny_data

TINY = {"noise_dim": 4, "generator_width": 16, "discriminator_width": 8}


def tiny_model(seed=1):
    keras.utils.set_random_seed(seed)
    model = build_per_class_gan(FEATURES, N_CLASSES, seed=seed, **TINY)
    model.compile(
        discriminator_optimizer=keras.optimizers.Adam(1e-2),
        generator_optimizer=keras.optimizers.Adam(1e-2),
        jit_compile=True,
    )
    return model


def class_state(model, c):
    """Class ``c``'s slice of every G and D weight and of every optimizer slot."""
    slots = [v for player in model.PLAYERS for v in getattr(model, f"{player}_optimizer").variables if len(v.shape)]
    return [np.array(v.numpy()[c]) for v in model.generator.weights + model.discriminator.weights + slots]


def test_the_papers_architecture_per_class():
    model = build_per_class_gan(4368, 2)
    assert [tuple(k.shape) for k in model.generator.kernels] == [(2, 100, 800), (2, 800, 800), (2, 800, 4368)]
    assert [tuple(k.shape) for k in model.discriminator.kernels] == [(2, 4368, 100), (2, 100, 100), (2, 100, 1)]
    assert model.noise_dim == 100 and model.feature_dim == 4368


def test_class_batches_follow_every_class_own_epoch():
    y = np.array([0] * 5 + [1] * 2 + [2] * 3)
    x = np.arange(10, dtype="float32")[:, None] + np.zeros((1, FEATURES), "float32")
    batches = ClassBatches(x, y, N_CLASSES, 2, seed=0)
    assert len(batches) == 3  # class 0 has 3 batches of 2; the others finish earlier
    steps = [batches[s] for s in range(len(batches))]
    masks = np.stack([m for _, m in steps])
    np.testing.assert_array_equal(masks.sum(-1), [[2, 2, 2], [2, 0, 1], [1, 0, 0]])  # [step, class]
    for c in range(N_CLASSES):  # every row of the class once per epoch, and only rows of the class
        seen = np.concatenate([xs[c, m[c] > 0, 0] for xs, m in steps])
        assert sorted(seen.astype(int)) == list(np.flatnonzero(y == c))
    batches.on_epoch_end()
    assert not all(np.array_equal(batches[s][0], steps[s][0]) for s in range(3))  # reshuffled


@pytest.mark.slow
def test_an_absent_class_keeps_its_weights_and_optimizer_state():
    x, y = tiny_data()
    model = tiny_model()
    model.fit(x, y, batch_size=16, epochs=3, verbose=0)  # Adam has momentum now
    before = [class_state(model, c) for c in range(N_CLASSES)]
    stacked, mask = ClassBatches(x, y, N_CLASSES, 16, seed=5)[0]
    mask[1] = 0.0  # class 1 is absent from this step
    model.train_on_batch(stacked, mask)
    after = [class_state(model, c) for c in range(N_CLASSES)]
    for old, new in zip(before[1], after[1]):
        np.testing.assert_array_equal(old, new)
    n_weights = len(model.generator.weights)
    for c in (0, 2):  # present classes: both players moved
        assert not np.array_equal(before[c][0], after[c][0])  # generator
        assert not np.array_equal(before[c][n_weights], after[c][n_weights])  # discriminator


@pytest.mark.slow
def test_a_class_weights_do_not_depend_on_another_class_data():
    x, y = tiny_data(60)
    y = np.roll(np.sort(y), -25)  # row 0 is of class 1; class 0 has 20 rows = one full and one padded batch
    other = x.copy()
    other[y == 1] = np.random.default_rng(9).normal(5.0, 3.0, other[y == 1].shape)
    states = []
    for data in (x, other):
        model = tiny_model()
        model.fit(data, y, batch_size=16, epochs=3, verbose=0)
        states.append([class_state(model, c) for c in range(N_CLASSES)])
    for c in (0, 2):
        for a, b in zip(states[0][c], states[1][c]):
            np.testing.assert_array_equal(a, b)
    assert not np.array_equal(states[0][1][0], states[1][1][0])


def test_synthesize_uses_each_label_generator():
    model = build_per_class_gan(FEATURES, N_CLASSES, seed=0, **TINY)
    noise = np.random.default_rng(0).normal(size=(6, TINY["noise_dim"])).astype("float32")
    labels = np.array([2, 0, 1, 1, 2, 0], "int32")
    every_class = model.generator(np.broadcast_to(noise, (N_CLASSES, *noise.shape))).numpy()
    np.testing.assert_allclose(model.synthesize(noise, labels).numpy(), every_class[labels, np.arange(6)], atol=1e-5)
    samples = model.generate(np.array([1, 1], "int32"), seed=3)
    assert samples.shape == (2, FEATURES)
    with pytest.raises(ValueError, match="ClassMLP with n_classes=2"):
        type(model)(model.generator, model.discriminator, n_classes=2)


@pytest.mark.slow
def test_export_samples_each_class_generator(tmp_path):
    x, y = tiny_data()
    model = tiny_model()
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    normalizer = Normalizer("global").fit(x)
    path = export.export_generator(model, normalizer, tmp_path / "gan" / "1", manifest={"class_names": ["a", "b", "c"]})
    module = tf.saved_model.load(str(path))
    labels = np.array([0, 2, 1, 2], "int32")
    exported = module.generate(labels=tf.constant(labels), seed=tf.constant(4, tf.int64))["features"].numpy()
    noise = tf.random.stateless_normal([4, TINY["noise_dim"]], seed=tf.constant([4, 0], tf.int64))
    expected = normalizer.restore(model.synthesize(noise, labels).numpy())
    np.testing.assert_allclose(exported, expected, rtol=1e-4, atol=1e-4)
