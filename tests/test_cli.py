"""The serzoo command: instant help, evaluate and demo on the synthetic corpus."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from serzoo import cli


def test_help_is_instant_and_does_not_import_tensorflow():
    code = "import sys, serzoo.cli; assert 'tensorflow' not in sys.modules; serzoo.cli.main(['--help'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "demo" in done.stdout and "evaluate" in done.stdout


def test_evaluate_writes_json(synth_is11, tfds_data_dir, tmp_path, capsys):
    out = tmp_path / "result"
    assert (
        cli.main(
            [
                "evaluate",
                "--dataset",
                "synth_emo/is11",
                "--classifier",
                "svm",
                "--folds",
                "2",
                "--data-dir",
                str(tfds_data_dir),
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    result = json.loads((out / "results.json").read_text())
    assert [f["fold"] for f in result["folds"]] == ["speaker01", "speaker02"]
    assert "UAR %" in capsys.readouterr().out


def test_evaluate_reports_bad_input_without_traceback(tmp_path, capsys):
    assert (
        cli.main(
            [
                "evaluate",
                "--dataset",
                "emodb/is11",
                "--manual-dir",
                str(tmp_path / "missing"),
                "--data-dir",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "missing does not exist" in capsys.readouterr().err


def test_demo_writes_a_report(synth_is11, tfds_data_dir, tmp_path, monkeypatch):
    from serzoo.experiments import demo, loso
    from serzoo.models.classifiers import make_classifier

    def short_dnn(name, seed=0, **overrides):  # plumbing, not accuracy: 3 DNN epochs instead of 100
        return make_classifier(name, seed, **({"epochs": 3} if name == "dnn" else {}), **overrides)

    monkeypatch.setattr(demo, "make_classifier", short_dnn)
    monkeypatch.setattr(loso, "make_classifier", short_dnn)
    out = tmp_path / "report"
    exported = tmp_path / "exported"
    assert (
        cli.main(
            [
                "demo",
                "--folds",
                "2",
                "--data-dir",
                str(tfds_data_dir),
                "--output-dir",
                str(out),
                "--epochs",
                "2",
                "--export-root",
                str(exported),
            ]
        )
        == 0
    )
    text = (out / "report.md").read_text()
    assert "SYNTHETIC" in text and "| synth_emo/is11 | svm |" in text and "| synth_emo/is11 | dnn |" in text
    assert "| svm | real only |" in text and "| dnn | real + 5 × adan |" in text
    assert {p.name for p in out.glob("*.png")} == {
        "fold_uar.png",
        "confusion_svm.png",
        "confusion_dnn.png",
        "augmentation_uar.png",
        "loss_curves.png",
        "tsne.png",
    }
    summary = json.loads((out / "results.json").read_text())
    assert len(summary["results"]) == 2 and len(summary["augmentation"]["rows"]) == 4
    assert (exported / "demo_adan_synth_emo_is11" / "1" / "manifest.json").is_file()


def test_verify_corpus_command_on_fixtures(capsys):
    import pathlib

    root = pathlib.Path(cli.__file__).resolve().parents[2] / "tfds_builders"
    assert cli.main(["verify-corpus", "iemocap", "--manual-dir", str(root / "iemocap" / "dummy_data")]) == 0
    assert cli.main(["verify-corpus", "emodb", "--manual-dir", str(root / "emodb" / "dummy_data")]) == 0
    assert cli.main(["verify-corpus", "emodb", "--strict", "--manual-dir", str(root / "emodb" / "dummy_data")]) == 1
    out = capsys.readouterr().out
    assert "published" in out and "verdict: OK" in out and "verdict: PROBLEMS" in out


def test_manual_dir_comes_from_serzoo_name_dir_for_every_corpus(monkeypatch):
    from serzoo.data import manual_dirs

    monkeypatch.setenv("SERZOO_RAVDESS_DIR", "/corpora/ravdess")
    monkeypatch.setenv("SERZOO_MSP_IMPROV_DIR", "/corpora/msp")
    monkeypatch.delenv("SERZOO_EMOVO_DIR", raising=False)
    found = {name: manual_dirs([name])[name] for name in ("ravdess", "msp_improv", "emovo")}
    assert found == {"ravdess": "/corpora/ravdess", "msp_improv": "/corpora/msp", "emovo": None}
    assert manual_dirs(["ravdess"], "/given") == {"ravdess": "/given"}


def test_verify_corpus_reads_the_folder_from_the_environment(monkeypatch, capsys):
    root = pathlib.Path(cli.__file__).resolve().parents[2] / "tfds_builders"
    monkeypatch.delenv("SERZOO_EMOVO_DIR", raising=False)
    assert cli.main(["verify-corpus", "emovo"]) == 2
    assert "pass --manual-dir PATH or set $SERZOO_EMOVO_DIR" in capsys.readouterr().err
    monkeypatch.setenv("SERZOO_EMOVO_DIR", str(root / "emovo" / "dummy_data"))
    assert cli.main(["verify-corpus", "emovo"]) == 0
    assert "emovo at " in capsys.readouterr().out


def test_a_normal_run_is_quiet(synth_is11, tfds_data_dir, tmp_path):
    """No TensorFlow C++ log lines (e.g. the cuInit error), no retracing warnings, no TFDS progress bars."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "serzoo.cli",
            "evaluate",
            "--dataset",
            "synth_emo/is11",
            "--classifier",
            "dnn",
            "--epochs",
            "1",
            "--folds",
            "2",
            "--data-dir",
            str(tfds_data_dir),
            "--output-dir",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for noise in ("cuInit", "retracing", "I0000", "W0000", "E0000", "Dl Completed", "Generating splits"):
        assert noise not in done.stderr + done.stdout, (noise, done.stderr[-2000:])
    assert "UAR %" in done.stdout


@pytest.mark.slow
def test_a_smaller_last_batch_logs_no_cpp_error():
    """Tracing a frame-level step again for a smaller last batch makes TensorFlow log "E0000 ... oneDNN supports
    DT_INT32 only on platforms with AVX-512" (it falls back to Eigen; seen on this project's 2-core machine with
    TF_CPP_MIN_LOG_LEVEL=2, and logged once per process); a normal run hides it."""
    script = (
        "from serzoo.quiet import import_tensorflow_quietly\n"
        "import_tensorflow_quietly()\n"
        "import numpy as np\n"
        "from serzoo.experiments.semi_aae import build_model\n"
        "from tests.scheme_checks import TINY_OPTIONS\n"
        "options = TINY_OPTIONS['semi_aae_frames']\n"
        "model = build_model('aae', 'frames', 5, 3, seed=0, epochs=1, batch_size=8, learning_rate=1e-3,"
        " options=options)\n"
        "x = np.random.default_rng(0).random((10, options['crop_frames'], 5)).astype('float32')\n"
        "model.fit(x, (np.arange(10) % 3).astype('int32'), batch_size=8, epochs=1, verbose=0)\n"
        "print('fitted')\n"
    )
    repo = str(pathlib.Path(__file__).resolve().parents[1])
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "PYTHONPATH": repo, "SERZOO_VERBOSE": "0"},
        cwd=repo,
    )
    assert done.returncode == 0 and "fitted" in done.stdout, done.stderr[-2000:]
    assert "E0000" not in done.stderr, done.stderr[-2000:]


def test_the_bayesian_oracles_gaussian_process_warnings_are_hidden_unless_verbose(monkeypatch):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from serzoo import quiet

    def warned(verbose):
        monkeypatch.setenv(quiet.VERBOSE_ENV, "1" if verbose else "0")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            quiet.hide_optimizer_warnings()
            warnings.warn_explicit(
                "length_scale is close to the bound",
                ConvergenceWarning,
                "kernels.py",
                445,
                module="sklearn.gaussian_process.kernels",
            )
            warnings.warn_explicit(
                "liblinear did not converge", ConvergenceWarning, "_base.py", 1, module="sklearn.svm._base"
            )
        return [str(w.message) for w in caught]

    assert warned(verbose=False) == ["liblinear did not converge"]  # only the oracle's GP is hidden
    assert len(warned(verbose=True)) == 2


def test_an_interrupt_swallowed_by_a_destructor_is_delivered_again():
    """Issue 35 case 10: SIGTERM landing in a ``__del__`` (TensorFlow's, during garbage collection) was raised there,
    ignored by Python with a traceback on stderr, and lost: a search's worker went on and had to be killed."""
    import time

    from serzoo.cli import Terminated, _sigterm_as_interrupt

    class Collected:
        def __del__(self):
            raise Terminated("signal 15")  # what the SIGTERM handler raises when the signal lands here

    start = time.monotonic()
    with pytest.raises(Terminated), _sigterm_as_interrupt():
        Collected()  # collected at once: Python ignores the exception; the hook sends SIGTERM again
        time.sleep(20)
    assert time.monotonic() - start < 10
