"""Builds and caches under faults (issue 18): a changed manual dir, an unusable feature cache, a killed build
(worker processes, staging folders), a diverging demo, two builds of one dataset at once."""

import contextlib
import errno
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from serzoo import cli, data, features, staging
from tests.audio_fixtures import write_wav

REPO = pathlib.Path(__file__).resolve().parents[1]
DUMMY = REPO / "tfds_builders" / "emodb" / "dummy_data" / "wav"
SERZOO = "import sys; from serzoo.cli import main; sys.exit(main())"  # the serzoo command, run by this Python


def _copy_dummy(root: pathlib.Path, versions: str = "a") -> pathlib.Path:
    """The 20 EmoDB dummy files, each once per version letter (``03a01Wa`` → ``03a01Wb``, ...); every version
    after the first is the audio slightly quieter, so no two files hold identical audio (the builder refuses that)."""
    (root / "wav").mkdir(parents=True)
    for path in sorted(DUMMY.glob("*.wav")):
        for number, version in enumerate(versions):
            _variant(path, root / "wav" / f"{path.stem[:-1]}{version}.wav", number)
    return root


def _variant(source: pathlib.Path, target: pathlib.Path, number: int) -> None:
    """``source``'s audio scaled by ``1 - number / 100`` (``number`` 0: an exact copy)."""
    if number == 0:
        shutil.copy(source, target)
        return
    import soundfile

    audio, rate = soundfile.read(source, dtype="float64")
    soundfile.write(target, audio * (1 - number / 100), rate, subtype="PCM_16")


# --- item 3: a built dataset is only reused for the files it was built from -------------------------------------


def _examples(manual_dir, data_dir) -> int:
    builder = data.prepare_builder("emodb/egemaps", data_dir=data_dir, manual_dir=manual_dir)
    return builder.info.splits.total_num_examples


def test_changed_manual_dir_is_refused_and_rebuild_rebuilds(tmp_path, capsys):
    small = _copy_dummy(tmp_path / "small")
    assert _examples(small, tmp_path / "d") == 20
    assert _examples(shutil.copytree(small, tmp_path / "moved"), tmp_path / "d") == 20  # same files elsewhere
    _variant(small / "wav" / "03a01Wa.wav", small / "wav" / "03a01Wb.wav", 1)
    where = re.escape(str(small))
    with pytest.raises(
        ValueError,
        match=rf"built from {where} \(20 files.*{where} \(21 files"
        r".*serzoo build --rebuild.*rebuild=True",
    ):
        data.load_corpus("emodb/egemaps", data_dir=tmp_path / "d", manual_dir=small)
    args = ["build", "--dataset", "emodb/egemaps", "--manual-dir", str(small), "--data-dir", str(tmp_path / "d")]
    assert cli.main(args) == 2
    assert "holds other files" in capsys.readouterr().err
    assert cli.main([*args, "--rebuild"]) == 0
    corpus = data.load_corpus("emodb/egemaps", data_dir=tmp_path / "d", manual_dir=small)
    assert corpus.splits["speaker03"].y.size == 3
    assert data.load_corpus("emodb/egemaps", data_dir=tmp_path / "d").splits["speaker03"].y.size == 3  # no manual dir


# --- item 5: the feature cache is optional ----------------------------------------------------------------------


def _extract_warning_once(wavs, cache):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = features.extract_many(wavs, "egemaps", cache_dir=cache, n_jobs=1, progress=False)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages
    assert features.CACHE_ENV in messages[0] and str(cache) in messages[0]
    return result, messages[0]


def test_full_cache_disk_warns_once_and_leaves_no_temp_file(tmp_path, monkeypatch):
    wavs = [write_wav(tmp_path / f"w{i}.wav", seed=i) for i in range(3)]
    real_save = np.save

    def disk_full(stream, values):
        real_save(stream, values[: len(values) // 2])  # part of the file reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(features.np, "save", disk_full)
    result, message = _extract_warning_once(wavs, tmp_path / "cache")
    assert "No space left on device" in message
    monkeypatch.undo()
    expected = features.extract_many(wavs, "egemaps", n_jobs=1, progress=False)
    np.testing.assert_array_equal(result.stacked(), expected.stacked())
    assert [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


@contextlib.contextmanager
def _read_only(folder: pathlib.Path):
    """``folder`` made read-only (mode 0o555; as root, which ignores modes, also ``chattr +i``)."""
    os.chmod(folder, 0o555)
    immutable = os.geteuid() == 0
    if immutable and (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0
    ):
        pytest.skip("running as root without chattr +i: no way to make a read-only folder")
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        os.chmod(folder, 0o755)


def test_read_only_cache_dir_warns_once_and_extracts(tmp_path):
    wavs = [write_wav(tmp_path / f"w{i}.wav", seed=i) for i in range(2)]
    (tmp_path / "cache").mkdir()
    with _read_only(tmp_path / "cache") as cache:
        result, message = _extract_warning_once(wavs, cache)
        assert "[Errno" in message and result.stacked().shape == (2, 88)
        assert list(cache.iterdir()) == []


# --- item 6: a killed build leaves no process and no staging folder behind --------------------------------------


def _start_build(corpus: pathlib.Path, data_dir: pathlib.Path, cache: pathlib.Path, dataset="emodb/is11"):
    env = {**os.environ, "PYTHONPATH": str(REPO), "SERZOO_CACHE_DIR": str(cache), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERZOO,
            "build",
            "--dataset",
            dataset,
            "--manual-dir",
            str(corpus),
            "--data-dir",
            str(data_dir),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children_once_extracting(process, timeout=180):
    """The build's child processes, once its openSMILE workers run (plus a second of extraction)."""
    psutil = pytest.importorskip("psutil")
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = parent.children(recursive=True)
        if any("spawn_main" in " ".join(c.cmdline()) for c in children if c.is_running()):
            time.sleep(1.0)
            return parent.children(recursive=True)
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError("no openSMILE worker process started")


def _survivors(children, seconds=10):
    psutil = pytest.importorskip("psutil")
    _, alive = psutil.wait_procs(children, timeout=seconds)
    for child in alive:
        child.kill()
    return alive


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """200 EmoDB-named files (the dummy files, ten versions each): a few seconds of IS11 extraction."""
    return _copy_dummy(tmp_path_factory.mktemp("big"), versions="abcdefghij")


@pytest.mark.slow
def test_sigterm_stops_the_build_and_its_workers(big_corpus, tmp_path):
    process = _start_build(big_corpus, tmp_path / "d", tmp_path / "cache")
    children = _children_once_extracting(process)
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=60)  # orphaned workers would hold its stderr open
    finally:
        survivors = _survivors(children)
    assert survivors == [] and process.returncode == 143 and "terminated" in err, err
    assert list((tmp_path / "d" / "emodb" / "is11").glob("incomplete.*")) == []


@pytest.mark.slow
def test_killed_build_leaves_no_worker_and_the_next_build_cleans_up(big_corpus, tmp_path, monkeypatch):
    process = _start_build(big_corpus, tmp_path / "d", tmp_path / "cache")
    children = _children_once_extracting(process)
    process.kill()
    try:
        process.communicate(timeout=60)
    finally:
        survivors = _survivors(children)
    assert survivors == []
    config_dir = tmp_path / "d" / "emodb" / "is11"
    assert list(config_dir.glob("incomplete.*")) != []  # what SIGKILL leaves
    monkeypatch.setenv("SERZOO_CACHE_DIR", str(tmp_path / "cache"))
    builder = data.prepare_builder("emodb/is11", data_dir=tmp_path / "d", manual_dir=big_corpus)
    assert builder.info.splits.total_num_examples == 200
    assert list(config_dir.glob("incomplete.*")) == []


def test_stale_export_staging_is_removed_but_a_live_one_is_kept(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f".1.partial-{int(done.stdout)}-abc"
    live = tmp_path / f".1.partial-{os.getpid()}-def"
    legacy = tmp_path / ".1.partial-xyz"  # no process ID: cannot tell, kept
    for folder in (dead, live, legacy):
        (folder / "variables").mkdir(parents=True)
    assert staging.remove_stale_partials(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, legacy.name])
    assert staging.partial_prefix("1") == f".1.partial-{os.getpid()}-"


# --- item 7: a diverging demo ends with one line and a report that says it stopped ------------------------------


@pytest.mark.slow
def test_diverging_demo_exits_2_with_a_report_that_says_it_stopped(tmp_path, capsys):
    corpus = _copy_dummy(tmp_path / "emodb")
    out = tmp_path / "report"
    code = cli.main(
        [
            "demo",
            "--dataset",
            "emodb/egemaps",
            "--manual-dir",
            str(corpus),
            "--data-dir",
            str(tmp_path / "d"),
            "--folds",
            "1",
            "--epochs",
            "2",
            "--learning-rate",
            "1e30",
            "--output-dir",
            str(out),
            "--export-root",
            str(tmp_path / "exported"),
        ]
    )
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # progress bars come before it
    assert code == 2 and re.match(r"serzoo demo: error: adan(_\d+)? diverged", last) and "Traceback" not in err, err
    text = (out / "report.md").read_text()
    assert "Stopped: this report is incomplete" in text and "[3/5] training ADAN" in text
    assert "DivergenceError" in text and "| emodb/egemaps | svm |" in text
    import json

    stopped = json.loads((out / "results.json").read_text())["stopped"]
    assert stopped["step"].startswith("[3/5]") and "diverged" in stopped["reason"]
    assert not (tmp_path / "exported").exists() or not any((tmp_path / "exported").rglob("manifest.json"))


# --- item 8: two builds of one dataset at once ------------------------------------------------------------------


@pytest.mark.slow
def test_two_builds_at_once_one_waits_and_reuses_the_result(big_corpus, tmp_path):
    processes = [_start_build(big_corpus, tmp_path / "d", tmp_path / "cache", "emodb/egemaps") for _ in range(2)]
    outputs = [p.communicate(timeout=600) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [e[-2000:] for _, e in outputs]
    waited = [e for _, e in outputs if "waiting for another build of emodb/egemaps" in e]
    assert len(waited) == 1, [e[-2000:] for _, e in outputs]
    assert outputs[0][0] == outputs[1][0] and "speaker03: 20 utterances" in outputs[0][0]


def test_a_first_build_leaves_no_folder_in_the_system_temp(tmp_path, monkeypatch):
    """TFDS's ``DatasetInfo.initialize_from_bucket`` leaves an empty ``tmp*tfds`` per builder of an unbuilt dataset;
    ``prepare_builder`` constructs builders inside ``staging.private_tempdir``."""
    import tempfile

    import tensorflow_datasets as tfds

    from serzoo.builders import builder_class

    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    builder_class("synth_emo")(config="is11", data_dir=tmp_path / "bare")
    leaked = list(system_temp.iterdir())
    assert leaked, "TFDS no longer leaks a temp folder here: private_tempdir can go"
    shutil.rmtree(leaked[0])
    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", lambda self, **kwargs: None)
    data.prepare_builder("synth_emo/is11", data_dir=tmp_path / "tfds")
    assert list(system_temp.iterdir()) == []
    assert tempfile.tempdir == str(system_temp)  # restored
