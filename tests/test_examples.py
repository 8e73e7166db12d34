"""``examples/keras_user.py`` runs end to end on the test fixtures (tiny networks, two epochs)."""

import importlib.util
import pathlib

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "keras_user.py"


def test_the_keras_user_example_runs(synth_is11, tfds_data_dir, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("keras_user_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    argv = ["--data-dir", str(tfds_data_dir), "--tiny", "--epochs", "2", "--output-dir", str(tmp_path)]
    assert example.main(argv) == 0
    out = capsys.readouterr().out
    assert "1. wadan (ADAN): 2 epochs" in out and "3. best of 2 trials" in out
    assert "2. classifier on real + synthetic rows: 2 epochs" in out
    assert (tmp_path / "export" / "wadan" / "1" / "manifest.json").is_file()
