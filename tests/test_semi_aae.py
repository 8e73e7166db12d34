"""The semi-supervised AAE (ICASSP 2019): its loss, each phase's connection, unlabelled rows, the "what made it
work" flags, the paper's layer sizes, frame-level shapes and crops, the generator API and label hiding."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from serzoo import frames, losses
from serzoo.models.semi_aae import UNLABELLED, build_semi_aae, build_semi_aae_frames, hide_labels
from tests.scheme_checks import FEATURES, N_CLASSES, TINY_OPTIONS, tiny_data

TINY = TINY_OPTIONS["semi_aae"]
TINY_FRAMES = TINY_OPTIONS["semi_aae_frames"]


def value(t):
    return float(ops.convert_to_numpy(t))


# ----------------------------------------------------------------- the supervised loss
def test_labelled_cross_entropy_by_hand():
    logits = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]], "float32")
    labels = np.array([0, UNLABELLED, 2], "int32")
    row0, row2 = -math.log(math.e / (math.e + 2)), -math.log(1 / 3)
    assert value(losses.labelled_cross_entropy(labels, logits)) == pytest.approx((row0 + row2) / 2, rel=1e-5)
    weighted = losses.labelled_cross_entropy(labels, logits, [1.0, 5.0, 3.0])
    assert value(weighted) == pytest.approx((row0 + 3 * row2) / 2, rel=1e-5)
    everything = np.array([0, 1, 2], "int32")  # all labelled: the plain weighted cross-entropy
    assert value(losses.labelled_cross_entropy(everything, logits)) == pytest.approx(
        value(losses.weighted_cross_entropy(everything, logits)), rel=1e-6
    )
    assert value(losses.labelled_cross_entropy(np.full(3, UNLABELLED, "int32"), logits)) == 0.0


def test_unlabelled_rows_get_no_supervised_gradient():
    logits = tf.Variable(np.random.default_rng(0).normal(size=(4, 3)).astype("float32"))
    with tf.GradientTape() as tape:
        loss = losses.labelled_cross_entropy(np.array([1, UNLABELLED, 0, UNLABELLED], "int32"), logits)
    grads = tape.gradient(loss, logits).numpy()
    assert np.all(grads[[1, 3]] == 0) and np.all(np.abs(grads[[0, 2]]).sum(1) > 0)


# ----------------------------------------------------------------- the three phases
PLAYER_NETWORKS = {  # the networks each phase's optimizer must move
    "autoencoder": ("encoder", "decoder"),
    "discriminator": ("category_discriminator", "style_discriminator"),
    "generator": ("encoder",),
    "classifier": ("encoder",),
}


def _weights(model):
    present = [name for name in model.NETWORKS if getattr(model, name) is not None]
    return {name: [v.numpy().copy() for v in getattr(model, name).trainable_variables] for name in present}


def _changed(before, after):
    return {name for name in before if any(not np.array_equal(a, b) for a, b in zip(before[name], after[name]))}


def _train_only(model, player, x, y, steps=1):
    """Train with every player but ``player`` at learning rate 0; the networks whose weights moved."""
    model.compile(
        **{
            f"{p}_optimizer": keras.optimizers.Adam(1e-2) if p == player else keras.optimizers.SGD(0.0)
            for p in model.PLAYERS
        }
    )
    before = _weights(model)
    model.fit(x, y, batch_size=len(y), epochs=steps, verbose=0)
    return _changed(before, _weights(model))


@pytest.mark.slow
@pytest.mark.parametrize("player", list(PLAYER_NETWORKS))
def test_every_phase_moves_its_players_networks_and_only_those(player):
    x, y = tiny_data(24)
    model = build_semi_aae(FEATURES, N_CLASSES, seed=0, **TINY)
    assert _train_only(model, player, x, y) == set(PLAYER_NETWORKS[player])


def test_supervised_phase_moves_the_category_head_but_not_the_style_head():
    x, y = tiny_data(24)
    model = build_semi_aae(FEATURES, N_CLASSES, seed=0, **TINY)
    style = [v.numpy().copy() for v in model.encoder.get_layer("encoder_style").trainable_variables]
    logits = [v.numpy().copy() for v in model.encoder.get_layer("encoder_logits").trainable_variables]
    _train_only(model, "classifier", x, y)
    assert all(
        np.array_equal(a, v.numpy())
        for a, v in zip(style, model.encoder.get_layer("encoder_style").trainable_variables)
    )
    assert not all(
        np.array_equal(a, v.numpy())
        for a, v in zip(logits, model.encoder.get_layer("encoder_logits").trainable_variables)
    )


def test_the_supervised_baseline_runs_only_the_supervised_phase():
    """``phases=("supervised",)``: the paper's baseline with the encoder's architecture, all optimizers live."""
    x, y = tiny_data(24)
    baseline = build_semi_aae(FEATURES, N_CLASSES, seed=0, phases=("supervised",), **TINY)
    baseline.compile(**{f"{p}_optimizer": keras.optimizers.Adam(1e-2) for p in baseline.PLAYERS})
    before = _weights(baseline)
    history = baseline.fit(x, y, batch_size=24, epochs=1, verbose=0).history
    assert _changed(before, _weights(baseline)) == {"encoder"}
    assert history["reconstruction_loss"] == [0.0] and history["classification_loss"][0] > 0
    assert type(baseline).from_config(baseline.get_config()).phases == ("supervised",)
    with pytest.raises(ValueError, match="phases must be a non-empty subset"):
        build_semi_aae(FEATURES, N_CLASSES, phases=("supervised", "pretraining"), **TINY)


def test_without_labels_the_supervised_phase_never_changes_q_y_given_x():
    """No batch norm here: its moving statistics follow every training-mode forward pass of any phase."""
    x, y = tiny_data(24)
    model = build_semi_aae(FEATURES, N_CLASSES, seed=0, batch_norm=False, **TINY)
    before = model.classify(x)
    assert _train_only(model, "classifier", x, np.full_like(y, UNLABELLED), steps=3) == set()
    np.testing.assert_array_equal(model.classify(x), before)
    history = model.fit(x, np.full_like(y, UNLABELLED), batch_size=8, epochs=1, verbose=0).history
    assert history["classification_loss"] == [0.0]


@pytest.mark.slow
def test_regularisation_moves_the_aggregated_style_towards_the_standard_normal():
    """Only the regularisation phase trains (no batch norm, which would standardise z by itself); scaled inputs
    put the untrained style codes far from N(0, I) (|mean| + |std - 1| summed over z: 4.0-6.4 for seeds 0-2).
    Equal rates: on this 2-D toy the paper's 0.1 x discriminator rate lets the encoder run away (measured:
    the distance grew from 4.0 to 38 in 40 epochs), with equal rates it fell to 0.8-1.4 after 50 epochs."""
    keras.utils.set_random_seed(0)
    x, y = tiny_data(96, seed=1)
    x = 5 * x
    model = build_semi_aae(FEATURES, N_CLASSES, seed=0, optimised=False, style_dim=2, width=16, discriminator_width=16)

    def distance():
        z = ops.convert_to_numpy(model.encode(x))
        return float(np.abs(z.mean(0)).sum() + np.abs(z.std(0) - 1).sum())

    start = distance()
    model.compile(
        autoencoder_optimizer=keras.optimizers.SGD(0.0),
        classifier_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.Adam(1e-3),
        generator_optimizer=keras.optimizers.Adam(1e-3),
    )
    model.fit(x, y, batch_size=16, epochs=50, verbose=0)
    assert start > 3.0 and distance() < 0.5 * start, (start, distance())


# ----------------------------------------------------------------- architecture
def _layer_types(network):
    return [type(layer).__name__ for layer in network.layers]


def test_optimised_flag_adds_batch_norm_everywhere_and_discriminator_dropout():
    optimised = build_semi_aae(FEATURES, N_CLASSES, **TINY)
    vanilla = build_semi_aae(FEATURES, N_CLASSES, optimised=False, **TINY)
    names = {layer.name for layer in optimised.encoder.layers + optimised.decoder.layers}
    assert {"encoder_logits_bn", "encoder_style_bn", "decoder_output_bn"} <= names  # also the output layers
    assert _layer_types(optimised.encoder).count("BatchNormalization") == 4
    assert _layer_types(optimised.decoder).count("BatchNormalization") == 3
    for network in (vanilla.encoder, vanilla.decoder, vanilla.category_discriminator, vanilla.style_discriminator):
        assert "BatchNormalization" not in _layer_types(network)
    for name in ("category_discriminator", "style_discriminator"):
        assert _layer_types(getattr(optimised, name)).count("Dropout") == 2
        assert "Dropout" not in _layer_types(getattr(vanilla, name))
    assert _layer_types(vanilla.encoder).count("Dropout") == 1  # between the two hidden layers only
    explicit = build_semi_aae(FEATURES, N_CLASSES, batch_norm=False, discriminator_dropout=0.2, **TINY)
    assert "BatchNormalization" not in _layer_types(explicit.encoder)
    assert explicit.style_discriminator.get_layer("style_discriminator_dropout0").rate == 0.2


def test_the_papers_layer_sizes():
    model = build_semi_aae(6373, 3)
    dense = [layer.units for layer in model.encoder.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [256, 256, 3, 100]
    assert model.encoder.get_layer("encoder0_dropout0").rate == 0.5
    assert model.decoder.output_shape == (None, 6373) and model.decoder.input_shape == (None, 103)
    assert [layer.units for layer in model.style_discriminator.layers if isinstance(layer, keras.layers.Dense)] == [
        256,
        256,
        1,
    ]
    cnn = build_semi_aae_frames(65, 3)  # Table 2
    convs = [
        (layer.filters, layer.kernel_size[0]) for layer in cnn.encoder.layers if isinstance(layer, keras.layers.Conv1D)
    ]
    assert convs == [(128, 4), (128, 4), (256, 4), (256, 4), (256, 4)]
    assert [layer.pool_size[0] for layer in cnn.encoder.layers if isinstance(layer, keras.layers.MaxPooling1D)] == [
        4
    ] * 4
    assert cnn.encoder.input_shape == (None, 512, 65) and cnn.decoder.output_shape == (None, 512, 65)
    transposed = [layer.filters for layer in cnn.decoder.layers if isinstance(layer, keras.layers.Conv1DTranspose)]
    assert transposed == [256, 256, 256, 128, 128, 65]
    assert _layer_types(cnn.decoder).count("UpSampling1D") == 4
    with pytest.raises(ValueError, match="crop_frames must be a positive multiple of pool_size"):
        build_semi_aae_frames(65, 3, crop_frames=300)


# ----------------------------------------------------------------- generator API
def test_frame_level_shapes_generate_and_transfer():
    model = build_semi_aae_frames(FEATURES, N_CLASSES, seed=0, **TINY_FRAMES)
    crop = TINY_FRAMES["crop_frames"]
    x, _ = tiny_data(6, frames=crop)
    labels = np.array([0, 2, 1], "int32")
    assert model.sample_shape == (crop, FEATURES) and model.crop_frames == crop
    assert model.generate(labels, seed=3).shape == (3, crop, FEATURES)
    long = model.generate(labels, seed=3, frames=21)
    assert long.shape == (3, 21, FEATURES) and np.isfinite(long).all()
    np.testing.assert_array_equal(long, model.generate(labels, seed=3, frames=21))
    assert model.transfer(x[:3], labels).shape == (3, crop, FEATURES)
    assert model.classify(x).shape == (6, N_CLASSES)
    with pytest.raises(ValueError, match="frames is for frame-level models"):
        build_semi_aae(FEATURES, N_CLASSES, **TINY).generate(labels, frames=5)


@pytest.mark.slow
def test_transfer_keeps_the_style_and_swaps_the_emotion():
    x, y = tiny_data(12)
    model = build_semi_aae(FEATURES, N_CLASSES, seed=0, **TINY)
    model.compile()
    model.fit(x, y, batch_size=12, epochs=2, verbose=0)
    target = np.array([2] * 12, "int32")
    style = ops.convert_to_numpy(model.encoder(x, training=False)[1])
    expected = model.decoder(np.concatenate([np.eye(N_CLASSES, dtype="float32")[target], style], axis=1))
    np.testing.assert_allclose(model.transfer(x, target), ops.convert_to_numpy(expected), atol=1e-5)
    np.testing.assert_array_equal(model.transfer(x, target), model.transfer(x, target))  # no noise drawn
    assert not np.allclose(model.transfer(x, target), model.transfer(x, np.zeros(12, "int32")))
    with pytest.raises(ValueError, match="one label per row"):
        model.transfer(x, target[:3])
    np.testing.assert_allclose(model.classify(x).sum(1), 1.0, atol=1e-5)


# ----------------------------------------------------------------- crops of variable-length utterances
def test_random_crops_of_short_and_long_utterances():
    short = np.arange(3, dtype="float32")[:, None]  # 3 frames, crop 8: tiled
    long = np.arange(20, dtype="float32")[:, None]
    crops = frames.random_crops([short, long], 8, np.random.default_rng(0))
    assert crops.shape == (2, 8, 1)
    assert set(crops[0, :, 0]) == {0.0, 1.0, 2.0} and np.all(np.diff(crops[0, :, 0]) % 3 == 1)  # periodic
    assert np.all(np.diff(crops[1, :, 0]) == 1) and 0 <= crops[1, 0, 0] <= 12  # one contiguous window
    starts = {frames.random_crops([long], 8, np.random.default_rng(s))[0, 0, 0] for s in range(30)}
    assert len(starts) > 5  # random offsets
    with pytest.raises(ValueError, match="non-empty"):
        frames.random_crops([np.zeros((0, 65))], 8, np.random.default_rng(0))


def test_evaluation_crops_cover_every_frame_and_posteriors_average_them():
    long = np.arange(20, dtype="float32")[None, :, None]
    crops = np.asarray(frames.evaluation_crops(long, 8))
    assert crops.shape == (1, 3, 8, 1) and [c[0, 0] for c in crops[0]] == [0, 8, 12]  # last crop ends at the end
    short = np.asarray(frames.evaluation_crops(np.arange(3, dtype="float32")[None, :, None], 8))
    assert short.shape == (1, 1, 8, 1) and list(short[0, 0, :, 0]) == [0, 1, 2, 0, 1, 2, 0, 1]

    def classify(batch):  # "probability" = the crop's first frame value, and its complement
        first = batch[:, 0, 0]
        return np.stack([first, 100 - first], axis=1)

    sequences = [
        np.arange(20, dtype="float32")[:, None],
        np.arange(3, dtype="float32")[:, None],
        np.arange(8, dtype="float32")[:, None],
    ]
    posteriors = frames.utterance_posteriors(classify, sequences, 8)
    np.testing.assert_allclose(posteriors[:, 0], [(0 + 8 + 12) / 3, 0, 0])


# ----------------------------------------------------------------- labelled fraction
def test_hide_labels_keeps_a_fraction_per_class_with_a_seed():
    y = np.repeat(np.arange(3), [40, 20, 4]).astype("int64")
    kept = hide_labels(y, 0.25, 3, seed=1)
    assert kept.dtype == y.dtype and set(np.unique(kept)) == {UNLABELLED, 0, 1, 2}
    assert [(kept == k).sum() for k in range(3)] == [10, 5, 1]
    assert np.all(kept[kept >= 0] == y[kept >= 0])  # a kept label is the true label
    np.testing.assert_array_equal(kept, hide_labels(y, 0.25, 3, seed=1))
    assert not np.array_equal(kept, hide_labels(y, 0.25, 3, seed=2))
    np.testing.assert_array_equal(hide_labels(y, 1.0, 3), y)
    assert np.all(hide_labels(y, 0.0, 3) == UNLABELLED)
    assert (hide_labels(y, 0.01, 3) >= 0).sum() == 3  # at least one labelled utterance per present class
    with pytest.raises(ValueError, match="fraction must lie in"):
        hide_labels(y, 25, 3)


# ----------------------------------------------------------------- export
@pytest.fixture(scope="module")
def trained_pair():
    """A tiny utterance model and a tiny frame model, 2 epochs each, with their global normalisers."""
    from serzoo.data import Normalizer

    rng = np.random.default_rng(0)
    x, y = tiny_data(48)
    x = 50.0 + 10.0 * x  # an "original" scale far from the normalised one
    crop = TINY_FRAMES["crop_frames"]
    sequences = [50.0 + 10.0 * rng.normal(size=(length, FEATURES)).astype("float32") for length in (3, 8, 21, 30)]
    utterance = build_semi_aae(FEATURES, N_CLASSES, seed=0, **TINY)
    frame = build_semi_aae_frames(FEATURES, N_CLASSES, seed=0, **TINY_FRAMES)
    utterance_norm = Normalizer("global").fit(x)
    frame_norm = Normalizer("global").fit(np.concatenate(sequences))
    crops = frames.random_crops([frame_norm.transform(s) for s in sequences] * 6, crop, rng)
    for model, data, labels in ((utterance, utterance_norm.transform(x), y), (frame, crops, np.arange(24) % 3)):
        model.compile()
        model.fit(data, labels.astype("int32"), batch_size=16, epochs=2, verbose=0)
    return {"x": x, "sequences": sequences, "utterance": (utterance, utterance_norm), "frame": (frame, frame_norm)}


def _manifest():
    return {"dataset": "tiny", "feature_set": "tiny", "class_names": ["a", "b", "c"]}


@pytest.mark.slow
def test_generators_export_with_their_endpoints(trained_pair, tmp_path):
    from serzoo import export
    from serzoo.augmenters import ExportedGenerator

    model, normalizer = trained_pair["utterance"]
    path = export.export_generator(model, normalizer, tmp_path / "utterance" / "1", manifest=_manifest())
    generator = ExportedGenerator(path)  # checks the hash and every endpoint's signature
    assert generator.sample([0, 1, 2, 2]).shape == (4, FEATURES)
    assert generator.manifest["endpoints"]["encode"]["outputs"]["codes"]["shape"] == [None, TINY["style_dim"]]
    model, normalizer = trained_pair["frame"]
    path = export.export_generator(model, normalizer, tmp_path / "frames" / "1", manifest=_manifest())
    generator = ExportedGenerator(path)
    crop = TINY_FRAMES["crop_frames"]
    assert generator.manifest["crop_frames"] == crop
    assert generator.manifest["endpoints"]["generate"]["inputs"]["frames"] == {"dtype": "int32", "shape": []}
    assert generator.sample([0, 1], frames=13).shape == (2, 13, FEATURES)
    assert generator.sample([0, 1]).shape == (2, crop, FEATURES)
    sequences = generator.sample([0, 1, 2] * 20, seed=1, frames=crop)  # the original LLD scale
    assert abs(sequences.mean() - normalizer.mean.mean()) < 0.5 * normalizer.std.mean()
    with pytest.raises(ValueError, match="frames is for frame-level generators"):
        ExportedGenerator(tmp_path / "utterance" / "1").sample([0], frames=3)


@pytest.mark.slow
def test_classifiers_and_frame_generator_reload_in_a_fresh_process_without_serzoo(trained_pair, tmp_path):
    import json
    import pathlib
    import subprocess
    import sys

    from serzoo import export

    paths = {}
    for kind in ("utterance", "frame"):
        model, normalizer = trained_pair[kind]
        paths[kind] = export.export_classifier(
            model, normalizer, tmp_path / f"{kind}_classifier" / "1", manifest=_manifest()
        )
    model, normalizer = trained_pair["frame"]
    paths["generator"] = export.export_generator(
        model, normalizer, tmp_path / "frame_generator" / "1", manifest=_manifest()
    )
    x, sequences = trained_pair["x"], trained_pair["sequences"]
    np.savez(tmp_path / "inputs.npz", features=x[:10], **{f"sequence{i}": s for i, s in enumerate(sequences)})
    consumer = pathlib.Path(__file__).with_name("classifier_consumer.py")
    done = subprocess.run(
        [
            sys.executable,
            str(consumer),
            str(paths["utterance"]),
            str(paths["frame"]),
            str(paths["generator"]),
            str(tmp_path / "inputs.npz"),
            str(tmp_path / "out.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["serzoo_imported"] is False and out["serving_equals_classify"]
    utterance, utterance_norm = trained_pair["utterance"]
    np.testing.assert_allclose(out["probabilities"], utterance.classify(utterance_norm.transform(x[:10])), atol=1e-5)
    frame, frame_norm = trained_pair["frame"]
    expected = frames.utterance_posteriors(
        frame.classify, [frame_norm.transform(s) for s in sequences], frame.crop_frames
    )  # short (3 frames), one crop, several crops
    np.testing.assert_allclose(out["frame_probabilities"], expected, atol=1e-5)
    assert out["generated_shape"] == [3, 21, FEATURES] and out["deterministic"] and out["finite"]
    assert out["sample_shape"] == [4, 5, FEATURES]
    module, manifest = export.load_classifier(paths["frame"])
    assert manifest["crop_frames"] == frame.crop_frames and manifest["class_names"] == ["a", "b", "c"]
    assert manifest["endpoints"]["classify"]["inputs"]["frames"]["shape"] == [None, None, FEATURES]
    (paths["utterance"] / "variables" / "extra.txt").write_text("added")
    with pytest.raises(ValueError, match="do not match files_sha256"):
        export.load_classifier(paths["utterance"])
    with pytest.raises(ValueError, match=f"format must be '{export.CLASSIFIER_FORMAT}'"):
        export.load_classifier(paths["generator"])
