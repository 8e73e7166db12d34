"""Keras conventions a user brings to a scheme: ``compile(optimizer=, loss=, metrics=)``, ``fit(sample_weight=,
class_weight=)``, callbacks monitoring the logged losses, ``build`` with the paper's class weights, and a ``.keras``
file that loads in a fresh process after ``import serzoo`` (issue 34, items 2, 5 and 7)."""

import subprocess
import sys

import keras
import numpy as np
import pytest

from tests.scheme_checks import TINY_OPTIONS, tiny_data, tiny_scheme


@pytest.fixture(scope="module")
def data():
    return tiny_data(32)


def test_compile_optimizer_reaches_every_player_and_an_explicit_player_optimizer_wins():
    model = tiny_scheme("adan")
    model.compile(optimizer=keras.optimizers.SGD(0.05), encoder_optimizer=keras.optimizers.Adam(3e-3))
    for player in model.PLAYERS:
        optimizer = getattr(model, f"{player}_optimizer")
        if player == "encoder":
            assert isinstance(optimizer, keras.optimizers.Adam)
            assert float(optimizer.learning_rate) == pytest.approx(3e-3)
        else:
            assert isinstance(optimizer, keras.optimizers.SGD)
            assert float(optimizer.learning_rate) == pytest.approx(0.05)
    assert len({id(getattr(model, f"{p}_optimizer")) for p in model.PLAYERS}) == len(model.PLAYERS)
    model.compile(optimizer="sgd")
    assert all(isinstance(getattr(model, f"{p}_optimizer"), keras.optimizers.SGD) for p in model.PLAYERS)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loss": "mse"}, "computes its own losses"),
        ({"metrics": ["accuracy"]}, "logs its own losses"),
        ({"loss_weights": [1.0]}, "computes its own losses"),
        ({"weighted_metrics": ["accuracy"]}, "logs its own losses"),
    ],
)
def test_compile_refuses_what_a_scheme_cannot_honour(kwargs, message):
    with pytest.raises(TypeError, match=message):
        tiny_scheme("wadan").compile(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"sample_weight": np.zeros(32)}, "sample_weight"), ({"class_weight": {0: 1.0, 1: 2.0, 2: 1.0}}, "class_weights")],
)
def test_fit_refuses_per_row_and_per_class_weights_naming_the_scheme_s_own(data, kwargs, message):
    model = tiny_scheme("adan")
    model.compile()
    before = [v.numpy().copy() for v in model.trainable_variables]
    with pytest.raises(TypeError, match=message):
        model.fit(*data, epochs=1, batch_size=16, verbose=0, **kwargs)
    assert all(np.array_equal(b, v.numpy()) for b, v in zip(before, model.trainable_variables))


def test_a_dataset_with_sample_weights_is_refused(data):
    import tensorflow as tf

    model = tiny_scheme("cgan")
    model.compile()
    x, y = data
    with pytest.raises(TypeError, match="sample_weight"):
        model.fit(tf.data.Dataset.from_tensor_slices((x, y, np.ones(len(y)))).batch(16), epochs=1, verbose=0)


def test_callbacks_monitor_the_logged_losses_with_mode_min_and_refuse_an_overall_loss(data, tmp_path):
    model = tiny_scheme("adan")
    model.compile()
    stop = keras.callbacks.EarlyStopping(monitor="val_reconstruction_loss", patience=1)
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="generator_loss", save_best_only=True)
    history = model.fit(*data, epochs=2, batch_size=16, verbose=0, validation_data=data, callbacks=[stop, best])
    assert len(history.history["val_reconstruction_loss"]) == 2 and (tmp_path / "best.keras").is_file()
    assert stop.mode == best.mode == "min"
    with pytest.raises(ValueError, match="reconstruction_loss"):
        model.fit(*data, epochs=1, verbose=0, validation_data=data, callbacks=[keras.callbacks.EarlyStopping()])


def test_build_weights_classes_as_the_paper_when_given_the_labels():
    from serzoo.models import get_scheme
    from serzoo.models.scheme import class_weights_for

    y = np.array([0] * 6 + [1] * 3 + [2] * 2)
    model = get_scheme("wadan").build(12, 3, y=y, **TINY_OPTIONS["wadan"])
    assert model.class_weights == pytest.approx(class_weights_for(y, 3))
    assert model.class_weights == pytest.approx([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="y=y_train"):
        get_scheme("wadan").build(12, 3, **TINY_OPTIONS["wadan"])
    uniform = get_scheme("wadan").build(12, 3, class_weights=[1.0, 1.0, 1.0], **TINY_OPTIONS["wadan"])
    assert uniform.class_weights == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="not both"):
        get_scheme("wadan").build(12, 3, y=y, class_weights=[1.0, 1.0, 1.0], **TINY_OPTIONS["wadan"])


LOADERS = {  # how a user's script loads a saved scheme in a fresh process
    "serzoo.load_model": "import numpy as np, keras, serzoo\nload = serzoo.load_model\n",
    "keras_after_serzoo": "import numpy as np, serzoo, tensorflow, keras\nload = keras.saving.load_model\n",
    "keras_before_serzoo": "import numpy as np, keras, serzoo\nload = keras.saving.load_model\n",
}


@pytest.mark.parametrize(
    "loader", [pytest.param(n, marks=pytest.mark.slow if n == "serzoo.load_model" else ()) for n in LOADERS]
)
def test_a_saved_scheme_loads_in_a_fresh_process_after_import_serzoo(data, tmp_path, loader):
    """Keras finds a saved class only once its module ran; after ``import serzoo`` (which imports no TensorFlow),
    plain ``keras.saving.load_model`` finds every scheme class, whether Keras is imported before or after serzoo
    (``import tensorflow`` imports Keras halfway through its own import), and so does ``serzoo.load_model``."""
    model = tiny_scheme("adan")
    model.compile()
    model.fit(*data, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "adan.keras"
    model.save(path)
    expected = keras.ops.convert_to_numpy(model(data[0][:4]))
    np.save(tmp_path / "x.npy", data[0][:4])
    code = LOADERS[loader] + (
        f"m = load({str(path)!r})\n"
        f"out = keras.ops.convert_to_numpy(m(np.load({str(tmp_path / 'x.npy')!r})))\n"
        f"np.save({str(tmp_path / 'out.npy')!r}, out); print(type(m).__name__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().endswith("ADAN")
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, rtol=1e-5, atol=1e-6)
