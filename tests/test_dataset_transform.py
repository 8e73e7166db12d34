"""``ExportedGenerator.dataset_transform`` on what a Keras user's ``tf.data`` pipeline holds (issue 34, item 8):
tuples and TFDS dicts, unbatched and batched, cardinality kept, fresh synthetic rows every epoch."""

import numpy as np
import pytest

from tests.scheme_checks import FEATURES, tiny_data


@pytest.fixture(scope="module")
def generator(tiny_export):
    from serzoo.augmenters import ExportedGenerator

    return ExportedGenerator(tiny_export)


def _epoch(dataset):
    return list(dataset.as_numpy_iterator())


def test_an_unbatched_tuple_dataset_gets_k_rows_of_each_class_and_its_cardinality(generator):
    import tensorflow as tf

    x, y = tiny_data(6)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).apply(generator.dataset_transform(k=2, seed=1))
    assert int(dataset.cardinality()) == 18
    rows = _epoch(dataset)
    assert len(rows) == 18 and [int(label) for _, label in rows[:3]] == [int(y[0])] * 3
    np.testing.assert_allclose(rows[0][0], x[0])
    assert not np.allclose(rows[1][0], rows[2][0])


def test_a_batched_dict_dataset_keeps_its_steps_and_other_entries(generator):
    import tensorflow as tf

    x, y = tiny_data(8)
    source = {"features": x, "label": y, "speaker": np.arange(8)}
    dataset = tf.data.Dataset.from_tensor_slices(source).batch(4).apply(generator.dataset_transform(k=1))
    assert int(dataset.cardinality()) == 2
    batches = _epoch(dataset)
    assert [len(b["label"]) for b in batches] == [8, 8] and batches[0]["features"].shape == (8, FEATURES)
    assert list(batches[0]["speaker"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(batches[0]["label"]) == list(np.repeat(y[:4], 2))


def test_every_epoch_draws_fresh_rows_and_keras_fit_runs_them(generator):
    import keras
    import tensorflow as tf

    x, y = tiny_data(8)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).apply(generator.dataset_transform(k=1, seed=0))
    first, second = _epoch(dataset), _epoch(dataset)
    assert not np.allclose(first[0][0][1], second[0][0][1])  # the synthetic row of the first real row
    np.testing.assert_allclose(first[0][0][0], second[0][0][0])  # the real row
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(3)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(dataset, epochs=3, verbose=0)  # no "ran out of data"
    assert len(history.history["loss"]) == 3
