"""``serzoo adapt`` end to end on fixtures: EmoDB's dummy corpus as the labelled source, EMOVO's dummy WAVs (48 kHz
stereo, another corpus's layout) as the user's unlabelled folder; the export is used from a fresh process."""

import csv
import json
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from serzoo import cli
from serzoo.adapt import target_wavs

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "tfds_builders" / "emodb" / "dummy_data"
TARGET_DIR = ROOT / "tfds_builders" / "emovo" / "dummy_data"

CONSUMER = """
import json, sys
import numpy as np, tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
features = tf.constant(np.load(sys.argv[2]), tf.float32)
out = model.classify(features=features)["probabilities"].numpy()
json.dump({"serzoo": "serzoo" in sys.modules, "probabilities": out.tolist()}, open(sys.argv[3], "w"))
"""


def test_target_wavs_are_found_recursively_and_a_folder_without_any_is_refused(tmp_path):
    assert len(target_wavs(TARGET_DIR)) == 12
    (tmp_path / "notes.txt").write_text("no audio")
    with pytest.raises(FileNotFoundError, match="no .wav file under"):
        target_wavs(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        target_wavs(tmp_path / "nowhere")


@pytest.mark.parametrize("method", ["dnn", pytest.param("dann", marks=pytest.mark.slow)])
def test_adapt_exports_a_classifier_that_a_fresh_process_uses(method, tfds_data_dir, tmp_path, capsys):
    from serzoo import features

    target = shutil.copytree(TARGET_DIR, tmp_path / "my_wavs")
    (target / "f1" / "broken.wav").write_bytes(b"RIFF....WAVEjunk")
    out = tmp_path / "adapted"
    args = ["adapt", "--source", "emodb/egemaps", "--manual-dir", str(SOURCE_DIR), "--data-dir", str(tfds_data_dir)]
    args += ["--target-dir", str(target), "--classifier", method, "--epochs", "2", "--output-dir", str(out)]
    assert cli.main(args) == 2  # the broken file stops it, named
    assert "broken.wav: cannot read audio" in capsys.readouterr().err
    assert cli.main([*args, "--skip-bad-audio"]) == 0
    result = json.loads((out / "results.json").read_text())
    assert result["target_files"] == 12 and result["skipped"][0]["file"].endswith("broken.wav")
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    assert len(rows) == 12 and set(rows[0]) >= {"file", "predicted", "anger", "neutral"}
    manifest = json.loads((out / "classifier" / "manifest.json").read_text())
    assert manifest["format"] == "serzoo-classifier/2" and manifest["adaptation"]["method"] == method
    wavs = [pathlib.Path(r["file"]) for r in rows]
    raw = features.extract_many(wavs, "egemaps", progress=False).stacked()
    np.save(tmp_path / "raw.npy", raw)
    (tmp_path / "consumer.py").write_text(CONSUMER)
    subprocess.run(
        [
            sys.executable,
            str(tmp_path / "consumer.py"),
            str(out / "classifier"),
            str(tmp_path / "raw.npy"),
            str(tmp_path / "out.json"),
        ],
        check=True,
    )
    used = json.loads((tmp_path / "out.json").read_text())
    assert not used["serzoo"]
    expected = np.array([[float(r[c]) for c in manifest["class_names"]] for r in rows])
    np.testing.assert_allclose(used["probabilities"], expected, atol=1e-3)  # the CSV's 4 decimals
    # the same settings again: reused, not trained again; other settings: refused without --overwrite
    assert cli.main([*args, "--skip-bad-audio"]) == 0
    assert cli.main([*args, "--skip-bad-audio", "--seeds", "1"]) == 2
    assert "holds another adaptation" in capsys.readouterr().err
