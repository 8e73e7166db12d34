"""Pretrained presets (``serzoo.zoo``): the manifest's recipe, ``augment()`` applying it, ``serzoo presets``, and the
presets shipped in ``exported/``."""

import json
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from serzoo import zoo
from tests.scheme_checks import N_CLASSES, tiny_data

REPO = pathlib.Path(__file__).resolve().parents[1]
#: The presets the README promises (issue 17): EmoDB is CC0, IS11 and IS10.
SHIPPED = ("wadan_emodb_is11", "wadan_emodb_is10")


def _preset(tiny_export, tmp_path, **fields):
    """A copy of the tiny export whose manifest carries ``fields``, sealed again (``manifest_sha256``) as an export
    with those fields would be (``serzoo export --recipe ... --k ...``)."""
    from serzoo.export import write_manifest

    target = tmp_path / "zoo" / "tiny" / "1"
    shutil.copytree(tiny_export, target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest.update(fields)
    write_manifest(manifest, target)
    return target


def test_augment_applies_the_presets_recipe_and_k_unless_told_otherwise(tiny_export, tmp_path):
    from serzoo import augment

    path = _preset(tiny_export, tmp_path, recipe={"synthetic_weight": 0.25, "calibration": 1.0}, recipe_k=3)
    x, y = tiny_data()
    x_aug, y_aug, weight = augment(x, y, str(path))
    assert len(y_aug) == 4 * len(y) and np.allclose(weight[len(y) :], 0.25) and np.allclose(weight[: len(y)], 1)
    synthetic = x_aug[len(y) :]
    for c in range(N_CLASSES):  # calibration = 1: each class's synthetic mean is the real class mean
        assert np.allclose(synthetic[y_aug[len(y) :] == c].mean(axis=0), x[y == c].mean(axis=0), atol=1e-3)
    _, y_two, weight_two = augment(x, y, str(path), k=2, recipe={})  # the caller's k and recipe win
    assert len(y_two) == 3 * len(y) and np.allclose(weight_two, 1)
    assert len(augment(x, y, str(tiny_export), k=2)) == 2  # a plain export: k sets, no weights


def test_a_bad_recipe_in_a_manifest_names_the_file_and_field(tiny_export, tmp_path):
    from serzoo.export import read_manifest

    path = _preset(tiny_export, tmp_path, recipe={"synthetic_weigth": 0.3})
    with pytest.raises(ValueError, match=r"manifest.json: recipe: unknown recipe field\(s\) \['synthetic_weigth'\]"):
        read_manifest(path)


def test_presets_command_lists_recipe_utility_and_size(tiny_export, tmp_path, capsys):
    from serzoo.cli import main

    _preset(
        tiny_export,
        tmp_path,
        recipe={"synthetic_weight": 0.3},
        recipe_k=10,
        utility={"protocol": "swap halves", "classifier": "dnn", "gain_mean": 1.5, "gain_std": 0.25},
    )
    assert main(["presets", "--export-root", str(tmp_path / "zoo")]) == 0
    out = capsys.readouterr().out
    assert "| tiny/1 | ADAN |" in out and "k=10, w0.3" in out and "+1.50 ± 0.25 UAR points with the dnn" in out
    assert main(["presets", "--export-root", str(tmp_path / "empty")]) == 0
    assert "no exported generators" in capsys.readouterr().out


def _shipped():
    return [p for p in zoo.find_presets(REPO / "exported") if p["name"] in SHIPPED]


def test_the_shipped_presets_match_their_feature_sets_and_classes():
    from serzoo.emotions import EMODB_CLASSES
    from serzoo.features import feature_names

    presets = _shipped()
    assert sorted(p["name"] for p in presets) == sorted(SHIPPED)
    total = sum(p["bytes"] for p in presets)  # the shipped ones: a demo's or user's export beside them is not
    assert total <= zoo.BUDGET_BYTES
    for preset in presets:
        m = preset["manifest"]
        assert m["dataset"] == "emodb" and preset["name"].endswith(m["feature_set"])
        assert m["feature_names"] == feature_names(m["feature_set"]) and m["feature_dim"] == len(m["feature_names"])
        assert m["class_names"] == list(EMODB_CLASSES)
        assert zoo.recipe_of(m)[0] is not None and m["utility"]["seeds"] >= 3
        assert (REPO / "exported" / preset["name"] / "MODEL_CARD.md").is_file()


@pytest.mark.slow
def test_the_shipped_presets_load_without_serzoo_in_a_fresh_process():
    code = (
        "import sys, json, numpy as np, tensorflow as tf\n"
        "assert 'serzoo' not in sys.modules\n"
        "for path in sys.argv[1:]:\n"
        "    m = json.load(open(path + '/manifest.json'))\n"
        "    g = tf.saved_model.load(path)\n"
        "    x = g.generate(labels=tf.constant([0, 1, 6], tf.int32), seed=tf.constant(3, tf.int64))['features']\n"
        "    assert x.shape == (3, m['feature_dim']) and np.isfinite(x.numpy()).all()\n"
        "print('ok', len(sys.argv) - 1)\n"
    )
    paths = [p["path"] for p in _shipped()]
    assert len(paths) == len(SHIPPED)
    done = subprocess.run(
        [sys.executable, "-c", code, *paths],
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",
        env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == f"ok {len(SHIPPED)}"


@pytest.mark.slow
def test_train_and_export_records_the_recipe_k_and_utility(synth_is11, tmp_path):
    from serzoo.experiments.train_export import train_and_export
    from serzoo.export import read_manifest

    utility = {"protocol": "test", "classifier": "dnn", "gain_mean": 0.5, "gain_std": 0.1}
    path, _, _ = train_and_export(
        synth_is11,
        "adan",
        epochs=1,
        root=tmp_path,
        name="p",
        options={"autoencoder_width": 16, "width": 8, "latent_dim": 4, "noise_dim": 4},
        recipe={"calibration": 0.5},
        recipe_k=4,
        extra_manifest={"utility": utility},
    )
    manifest = read_manifest(path)
    assert manifest["recipe"]["calibration"] == 0.5 and manifest["recipe_k"] == 4 and manifest["utility"] == utility
    with pytest.raises(ValueError, match="must be a non-negative int"):
        train_and_export(synth_is11, "adan", epochs=1, root=tmp_path, name="q", recipe={}, recipe_k=-1)


def test_an_exported_generator_decodes_codes_so_latent_interpolation_works_through_augment(tiny_export):
    import tensorflow as tf

    from serzoo import augment
    from serzoo.augmenters import ExportedGenerator

    generator = ExportedGenerator(tiny_export)
    assert {"encode", "decode"} <= set(generator.manifest["endpoints"])
    x, y = tiny_data()
    codes = generator.module.encode(features=tf.constant(x))["codes"]
    decoded = generator.module.decode(codes=codes)["features"].numpy()
    assert decoded.shape == x.shape and np.isfinite(decoded).all()
    plain = augment(x, y, str(tiny_export), k=1, recipe={})[0][len(y) :]
    mixed, y_mixed, _ = augment(x, y, str(tiny_export), k=1, recipe={"latent_interpolation": True})
    assert len(y_mixed) == 2 * len(y) and np.isfinite(mixed).all()
    assert not np.allclose(mixed[len(y) :], plain)  # decoded code mixtures, not the generator's draws


def test_one_malformed_preset_does_not_hide_the_valid_ones(tiny_export, tmp_path):
    """``serzoo presets`` lists the valid presets and names the malformed one with its problem (issue 35, case
    21); the library call stays strict."""
    shutil.copytree(tiny_export, tmp_path / "good" / "1")
    broken = tmp_path / "broken" / "1"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text("{ not json")
    table = zoo.presets_table(tmp_path)
    assert "| good/1 |" in table
    assert f"skipped {broken}: " in table and "is not valid JSON" in table
    with pytest.raises(ValueError, match="is not valid JSON"):
        zoo.find_presets(tmp_path)
