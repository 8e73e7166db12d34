"""Exported generators: reload in a process without serzoo, TFSMLayer, atomicity, races, integrity checks."""

import json
import pathlib
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest

from serzoo import augmenters as augment
from serzoo import export
from serzoo.experiments.train_export import train_and_export
from tests.scheme_checks import export_tiny

SMALL = {"latent_dim": 16, "noise_dim": 16, "autoencoder_width": 64, "width": 32}


@pytest.fixture(scope="module")
def exported(synth_is11, tmp_path_factory):
    root = tmp_path_factory.mktemp("exported")
    train = [s for s in synth_is11.splits if s != "speaker10"]
    path, augmenter, normalizer = train_and_export(
        synth_is11, "adan", train_splits=train, epochs=20, root=root, version="1", options=SMALL
    )
    return path, synth_is11.select(train)


def test_layout_and_manifest(exported, synth_is11):
    path, train = exported
    assert path.name == "1" and path.parent.name == "adan_synth_emo_is11"
    manifest = export.read_manifest(path)
    assert manifest["class_names"] == synth_is11.class_names and manifest["feature_dim"] == 4368
    assert len(manifest["feature_names"]) == 4368 and manifest["feature_names"][0].startswith("audspec")
    assert "speaker10" not in manifest["training_groups"] and len(manifest["training_groups"]) == 9
    assert set(manifest["metrics_at_export"]) == {"mmd", "tstr_uar", "trts_uar"}
    assert {"serzoo", "tensorflow", "keras"} <= set(manifest["versions"])
    assert (path / "saved_model.pb").is_file()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_fresh_process_without_serzoo(exported, tmp_path):
    path, train = exported
    np.savez(tmp_path / "stats.npz", mean=train.x.mean(0), std=train.x.std(0))
    consumer = pathlib.Path(__file__).with_name("export_consumer.py")
    done = subprocess.run(
        [sys.executable, str(consumer), str(path), str(tmp_path / "stats.npz"), str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["serzoo_imported"] is False
    assert out["shape"] == [200, 4368] and out["dtype"] == "float32" and out["finite"]
    assert out["deterministic"] and out["seed_changes_output"] and out["serving_equals_generate"]
    assert out["sample_shape"] == [5, 4368] and out["codes_shape"] == [10, 16] and out["single_shape"] == [200, 4368]
    # original openSMILE scale: feature means span orders of magnitude and must line up
    assert out["mean_correlation"] > 0.99 and out["median_mean_error_in_std"] < 1.0
    assert "labels must lie in 0..6" in out["errors"]["label_too_big"]
    assert "labels must lie in 0..6" in out["errors"]["negative_label"]
    assert "n must be >= 0" in out["errors"]["negative_n"]


def test_tfsmlayer_inside_a_keras_model_draws_fresh_samples_on_every_call(exported):
    """Issue 34 item 8: ``generate_labels`` drew seed 0 on every call, so an augmenting TFSMLayer fed the same
    synthetic rows to every batch. Now the n-th call draws with seed n - 1 (reproducible per loaded export)."""
    import keras
    import tensorflow as tf

    path, _ = exported
    labels = keras.Input(shape=(), dtype="int32")
    layer = keras.layers.TFSMLayer(str(path), call_endpoint="generate_labels")
    model = keras.Model(labels, keras.layers.Dense(3)(layer(labels)))
    assert model(np.array([0, 1, 6], "int32")).shape == (3, 3)
    first, second = (keras.ops.convert_to_numpy(layer(np.array([0, 1, 6], "int32"))) for _ in range(2))
    assert not np.allclose(first, second)
    generate = tf.saved_model.load(str(path)).signatures["generate"]
    for seed, draw in ((1, first), (2, second)):  # the model call above drew seed 0
        expected = generate(labels=tf.constant([0, 1, 6], tf.int32), seed=tf.constant(seed, tf.int64))["features"]
        np.testing.assert_allclose(draw, expected.numpy(), rtol=1e-5)


def test_augmentation_api_with_an_export_and_a_baseline(exported, synth_is11):
    path, train = exported
    x_aug, y_aug = augment.augment(
        train.x, train.y, str(path), k=2, feature_set="is11", class_names=synth_is11.class_names
    )
    assert x_aug.shape == (3 * len(train.y), 4368) and np.array_equal(y_aug[len(train.y) :], np.tile(train.y, 2))
    x_smote, _ = augment.augment(train.x, train.y, "smote", k=1)
    assert x_smote.shape == (2 * len(train.y), 4368)
    assert np.corrcoef(x_smote[len(train.y) :].mean(0), train.x.mean(0))[0, 1] > 0.99
    with pytest.raises(ValueError, match="feature_set is 'is11', your data is 'egemaps'"):
        augment.augment(train.x, train.y, str(path), feature_set="egemaps")
    with pytest.raises(ValueError, match="class_names are"):
        augment.augment(train.x, train.y, str(path), class_names=["a", "b"])
    with pytest.raises(ValueError, match="feature_dim is 4368, your data has 88"):
        augment.augment(train.x[:, :88], train.y, str(path))


def test_tf_data_transformation(exported):
    import tensorflow as tf

    path, train = exported
    gen = augment.ExportedGenerator(path)
    ds = tf.data.Dataset.from_tensor_slices((train.x[:4], train.y[:4])).apply(gen.dataset_transform(k=2))
    items = list(ds.as_numpy_iterator())
    assert len(items) == 12 and [int(y) for _, y in items[:3]] == [int(train.y[0])] * 3
    np.testing.assert_allclose(items[0][0], train.x[0])


def test_refuses_to_overwrite_and_interrupted_export_leaves_nothing(exported, monkeypatch):
    import tensorflow as tf

    path, _ = exported
    augmenter_model = None
    with pytest.raises(FileExistsError, match="already exists; pass overwrite=True"):
        export.export_generator(augmenter_model, None, path, manifest={})
    target = path.parent / "2"

    def interrupted(module, directory, signatures=None):
        pathlib.Path(directory, "saved_model.pb").write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(tf.saved_model, "save", interrupted)
    from serzoo.data import Normalizer

    normalizer = Normalizer("global").fit(np.random.default_rng(0).normal(size=(20, 4368)))
    from serzoo.models.adan import build_adan

    scheme = build_adan(4368, 7, **SMALL)
    with pytest.raises(KeyboardInterrupt):
        export.export_generator(
            scheme, normalizer, target, manifest={"class_names": list("abcdefg"), "dataset": "x", "feature_set": "is11"}
        )
    assert not target.exists()
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "manifest.json is missing"),
        ("{not json", "is not valid JSON"),
        (json.dumps({"format": "serzoo-generator/3"}), "lacks the field"),
        ("[1, 2]", "must hold a JSON object"),
    ],
)
def test_bad_manifest(tmp_path, content, message):
    if content is not None:
        (tmp_path / "manifest.json").write_text(content)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        augment.ExportedGenerator(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "scheme, options, code_dim",
    [
        ("aae", {"width": 32}, 2),  # the 2-D code of Sahu 2017
        ("m3", {"widths": (32, 16), "discriminator_widths": (16, 8), "code_dim": 8}, 8),  # learned prior CG(z, c)
    ],
)
def test_aae_family_exports_with_its_encoder(synth_is11, tmp_path, scheme, options, code_dim):
    train = [s for s in synth_is11.splits if s != "speaker10"]
    path, _, _ = train_and_export(
        synth_is11, scheme, train_splits=train, epochs=5, root=tmp_path / "exported", options=options
    )
    x = synth_is11.select(train).x
    np.savez(tmp_path / "stats.npz", mean=x.mean(0), std=x.std(0))
    consumer = pathlib.Path(__file__).with_name("export_consumer.py")
    done = subprocess.run(
        [sys.executable, str(consumer), str(path), str(tmp_path / "stats.npz"), str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["serzoo_imported"] is False and out["deterministic"] and out["finite"]
    assert out["shape"] == [200, 4368] and out["codes_shape"] == [10, code_dim]
    encode = augment.ExportedGenerator(path).manifest["endpoints"]["encode"]  # passes the endpoint checks
    assert encode["outputs"]["codes"]["shape"] == [None, code_dim]


def _run_together(calls):
    """Run ``calls`` in threads; returns each one's result or exception."""
    outcomes = [None] * len(calls)

    def run(i):
        try:
            outcomes[i] = calls[i]()
        except Exception as err:  # noqa: BLE001 - the test inspects it
            outcomes[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture(params=["renameat2", "portable"])
def rename(request, monkeypatch):
    """Publish with Linux renameat2, or with the portable rename fallback."""
    if request.param == "portable":
        monkeypatch.setattr(export, "_renameat2", lambda *args: False)
    return request.param


def test_two_exports_racing_to_one_target(tmp_path, monkeypatch, rename):
    """Both pass the early check, both stage, then both publish at once: exactly one may win."""
    import tensorflow as tf

    save, staged, one_at_a_time = tf.saved_model.save, threading.Barrier(2, timeout=60), threading.Lock()

    def save_then_wait(*args, **kwargs):
        with one_at_a_time:  # saving is not what is tested; the rename after it is
            save(*args, **kwargs)
        staged.wait()

    monkeypatch.setattr(tf.saved_model, "save", save_then_wait)
    target = tmp_path / "adan" / "1"
    outcomes = _run_together([lambda i=i: export_tiny(target, dataset=f"run{i}") for i in range(2)])
    winners = [o for o in outcomes if isinstance(o, pathlib.Path)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], FileExistsError) and str(target) in str(losers[0])
    assert "--overwrite" in str(losers[0])
    survivor = augment.ExportedGenerator(target)  # complete: its files match its manifest, endpoints check
    assert survivor.manifest["dataset"] in {"run0", "run1"}
    assert survivor.sample([0, 1, 2]).shape == (3, 12)
    assert [p.name for p in target.parent.iterdir()] == ["1"]  # no staging left


def test_overwrite_swaps_in_the_new_version(tmp_path, rename):
    target = export_tiny(tmp_path / "adan" / "1", dataset="old")
    with pytest.raises(FileExistsError, match="--overwrite"):
        export_tiny(target, dataset="new")
    export_tiny(target, dataset="new", overwrite=True)
    assert augment.ExportedGenerator(target).manifest["dataset"] == "new"
    assert [p.name for p in target.parent.iterdir()] == ["1"]


def test_train_and_export_refuses_an_existing_target_before_training(synth_is11, tmp_path, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("trained although the target exists")

    monkeypatch.setattr(augment.SchemeAugmenter, "fit", no_training)
    (tmp_path / "taken" / "1").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="taken/1 already exists; pass overwrite=True"):
        train_and_export(synth_is11, "adan", epochs=1, root=tmp_path, name="taken", options=SMALL)


def _flip_byte(file: pathlib.Path):
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: _flip_byte(path / "saved_model.pb"),
        lambda path: _flip_byte(next((path / "variables").glob("variables.data-*"))),
        lambda path: (path / "variables" / "extra.txt").write_text("added"),
    ],
    ids=["saved_model.pb", "variables", "added_file"],
)
def test_changed_files_are_refused_before_loading(tiny_export, tmp_path, monkeypatch, tamper):
    import tensorflow as tf

    copy = pathlib.Path(shutil.copytree(tiny_export, tmp_path / "1"))
    assert augment.ExportedGenerator(copy).sample([0, 2]).shape == (2, 12)  # the untampered copy loads
    tamper(copy)

    def never(*args, **kwargs):
        raise AssertionError("tf.saved_model.load ran on a changed export")

    monkeypatch.setattr(tf.saved_model, "load", never)
    with pytest.raises(ValueError, match=f"{copy}: the SavedModel's files do not match files_sha256"):
        augment.ExportedGenerator(copy)


def _edit_manifest(path, **fields):
    """Change manifest fields and seal them again (a forger who recomputes manifest_sha256: the type checks and the
    other hashes must still catch it)."""
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(fields)
    manifest["manifest_sha256"] = export.manifest_sha256(manifest)
    (path / "manifest.json").write_text(json.dumps(manifest))
    return manifest


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"feature_dim": "12"}, "feature_dim must be of type int, got the str '12'"),
        ({"feature_dim": 0}, "feature_dim must be a positive int"),
        ({"class_names": "abc"}, "class_names must be of type list, got the str 'abc'"),
        ({"class_names": ["a", 2, "c"]}, "class_names must be a non-empty list of str"),
        ({"feature_set": 11}, "feature_set must be of type str"),
        ({"endpoints": ["generate", "sample"]}, "endpoints must be of type dict"),
        ({"files_sha256": "abc"}, "files_sha256 must be 64 lower-case hex digits"),
        ({"format": "serzoo-generator/1"}, "records no hash of the SavedModel's files.*re-export"),
        ({"format": "serzoo-generator/9"}, "format 'serzoo-generator/9' is not"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_manifest_fields_are_type_checked(tiny_export, tmp_path, fields, message):
    copy = pathlib.Path(shutil.copytree(tiny_export, tmp_path / "1"))
    _edit_manifest(copy, **fields)
    with pytest.raises(ValueError, match=message):
        augment.ExportedGenerator(copy)


def test_manifest_endpoints_must_be_a_serzoo_generators(tiny_export, tmp_path):
    copy = pathlib.Path(shutil.copytree(tiny_export, tmp_path / "1"))
    endpoints = json.loads((copy / "manifest.json").read_text())["endpoints"]
    endpoints["generate"]["inputs"]["path"] = {"dtype": "string", "shape": []}
    _edit_manifest(copy, endpoints=endpoints)
    with pytest.raises(ValueError, match="endpoints are not those of a serzoo generator .*generate: expected"):
        augment.ExportedGenerator(copy)


def test_loaded_signatures_must_match_the_manifest(tiny_export, tmp_path):
    """A different SavedModel under a copied manifest with a recomputed hash (a naive forgery)."""
    import tensorflow as tf

    class Other(tf.Module):
        @tf.function(
            input_signature=[tf.TensorSpec([None], tf.float32, name="labels"), tf.TensorSpec([], tf.int64, name="seed")]
        )
        def generate(self, labels, seed):
            return {"features": tf.zeros([tf.shape(labels)[0], 12])}

    forged = tmp_path / "1"
    other = Other()
    tf.saved_model.save(other, str(forged), signatures={"serving_default": other.generate})
    manifest = json.loads((tiny_export / "manifest.json").read_text())
    forgery = {**manifest, "files_sha256": export.files_sha256(forged)}
    (forged / "manifest.json").write_text(json.dumps({**forgery, "manifest_sha256": export.manifest_sha256(forgery)}))
    with pytest.raises(ValueError, match=f"{forged}: the loaded SavedModel does not match the endpoints") as err:
        augment.ExportedGenerator(forged)
    assert "missing endpoint(s) ['decode', 'encode', 'generate_labels', 'sample'" in str(err.value)
    assert "generate: expected" in str(err.value) and "'float32'" in str(err.value)


# ---------------------------------------------------------------- issue 35: what an export may replace, and where


def test_export_overwrite_refuses_a_folder_that_is_not_an_export(tiny_export, tmp_path, rename):
    """Issue 35 case 1: --overwrite onto a folder holding a thesis deleted it. Only an export is replaced."""
    thesis = tmp_path / "adan" / "1"
    thesis.mkdir(parents=True)
    (thesis / "thesis.tex").write_text("\\chapter{Results}")
    with pytest.raises(FileExistsError, match="is not a serzoo export .*--overwrite replaces exports only"):
        export_tiny(thesis, overwrite=True)
    assert (thesis / "thesis.tex").read_text() == "\\chapter{Results}"
    assert sorted(p.name for p in thesis.parent.iterdir()) == ["1"]  # no staging left either
    link = tmp_path / "link" / "1"
    link.parent.mkdir()
    link.symlink_to(tiny_export, target_is_directory=True)  # a link to an export: replacing it would follow it
    with pytest.raises(FileExistsError, match="is not a serzoo export"):
        export_tiny(link, overwrite=True)


def test_export_names_are_single_folder_names(synth_is11, tmp_path, monkeypatch, capsys):
    """Issue 35 case 1: --name ../../x and --version ../../../x wrote outside --root (and with --overwrite replaced an
    unrelated folder there). Refused before any training, by the library and by the command."""
    from serzoo.cli import main

    def no_training(*args, **kwargs):
        raise AssertionError("trained although the target is refused")

    monkeypatch.setattr(augment.SchemeAugmenter, "fit", no_training)
    root = tmp_path / "root"
    for name, version in (("../../x", "1"), ("ok", "../../../x"), ("a/b", "1"), ("..", "1"), ("ok", ".hidden")):
        with pytest.raises(ValueError, match="must be one plain folder name"):
            train_and_export(synth_is11, "adan", epochs=1, root=root, name=name, version=version, options=SMALL)
    argv = ["--dataset", "synth_emo/is11", "--export-root", str(root), "--export-version", "../../x", "--epochs", "1"]
    code = main(["export", *argv])
    assert code == 2 and "--export-version '../../x' must be one plain folder name" in capsys.readouterr().err
    assert not root.exists()


@pytest.mark.parametrize(
    "fields",
    [{"recipe_k": 9}, {"utility": {"gain_mean": 0.8}}, {"class_names": ["c", "b", "a"]}],
    ids=["recipe_k", "gain", "class_order"],
)
def test_a_manifest_edit_is_caught_by_its_hash(tiny_export, tmp_path, fields):
    """Issue 35 case 5: manifest.json was outside the integrity check: recipe_k 1 -> 9 made augment() return 9 sets,
    a deleted minus sign made `serzoo presets` advertise +0.80. Every field is covered by manifest_sha256."""
    from serzoo.zoo import find_presets

    copy = pathlib.Path(shutil.copytree(tiny_export, tmp_path / "preset" / "1"))
    manifest = json.loads((copy / "manifest.json").read_text())
    assert manifest["format"] == export.FORMAT and manifest["manifest_sha256"] == export.manifest_sha256(manifest)
    manifest.update(fields)
    (copy / "manifest.json").write_text(json.dumps(manifest, indent=2))  # an edit, not a forgery: the seal is old
    with pytest.raises(ValueError, match="do not match manifest_sha256: the manifest was changed after"):
        augment.ExportedGenerator(copy)
    with pytest.raises(ValueError, match="manifest_sha256"):
        find_presets(tmp_path)


def test_an_export_of_the_previous_format_is_refused_until_sealed(tiny_export, tmp_path):
    """A serzoo-generator/2 manifest has no seal: refused with the way out; seal_manifest upgrades a trusted copy."""
    copy = pathlib.Path(shutil.copytree(tiny_export, tmp_path / "1"))
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format"] = "serzoo-generator/2"
    del manifest["manifest_sha256"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="does not cover the manifest's own fields .*seal_manifest"):
        augment.ExportedGenerator(copy)
    assert export.seal_manifest(copy)["format"] == "serzoo-generator/3"
    assert augment.ExportedGenerator(copy).sample([0, 1]).shape == (2, 12)


def test_exports_and_reports_follow_the_umask(tmp_path):
    """Issue 35 case 23: exports (mkdtemp: 0700) and reports (mkstemp: 0600) were unreadable to other users of a
    shared machine under umask 022. They get what an ordinary new file or folder gets."""
    import os

    from serzoo import plots
    from serzoo.report import write_report

    old = os.umask(0o022)
    try:
        target = export_tiny(tmp_path / "adan" / "1")
        report = write_report(tmp_path / "report", "# r", {"a": 1})
        figure = plots.search_progress_png([0.1, 0.3], "utility", True, tmp_path / "report" / "p.png")
        os.umask(0o027)
        strict = write_report(tmp_path / "strict", "# r", {})
    finally:
        os.umask(old)
    modes = {p: p.stat().st_mode & 0o777 for p in [target, *target.rglob("*")]}
    assert {m for p, m in modes.items() if p.is_dir()} == {0o755} and {m for p, m in modes.items() if p.is_file()} == {
        0o644
    }
    assert {p.stat().st_mode & 0o777 for p in (report, report.parent / "results.json", figure)} == {0o644}
    assert strict.stat().st_mode & 0o777 == 0o640
