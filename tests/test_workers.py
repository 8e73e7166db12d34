"""Worker processes for independent units (``--jobs``): same units as in-process, a dead worker loses only its unit."""

import json
import os
import signal
import subprocess
import sys

import pytest

from serzoo.errors import UnitsLostError
from serzoo.experiments.resume import UnitStore
from serzoo.experiments.workers import run_units


def square_or_die(context, value):
    """A unit: ``value² + context``; the unit of value 3 kills its worker half-way (SIGKILL, as the OOM killer)."""
    if value == 3 and not os.environ.get("SERZOO_TEST_NO_DEATH"):
        os.kill(os.getpid(), signal.SIGKILL)
    return {"value": value, "result": value * value + context, "pid": os.getpid()}


def offset(extra):
    return extra


def failing(context, value):
    if value == 2:
        raise ValueError("unit 2 is bad input")
    return value


@pytest.mark.slow
def test_a_killed_worker_loses_only_its_unit_and_the_rerun_finishes_the_rest(tmp_path, monkeypatch):
    store = UnitStore(tmp_path, {"test": 1})
    units = [(f"u{v}", (v,)) for v in range(6)]

    def done(key, result):
        store.add(key, result)

    with pytest.raises(UnitsLostError, match=r"1 unit\(s\) not computed because worker processes died \(u3\)"):
        run_units(units, square_or_die, done, jobs=2, setup=offset, setup_args=(100,))
    assert sorted(store.units) == ["u0", "u1", "u2", "u4", "u5"]  # the other worker went on
    assert len({u["pid"] for u in store.units.values()}) <= 2  # workers stay alive across units
    monkeypatch.setenv("SERZOO_TEST_NO_DEATH", "1")
    rerun = [(key, args) for key, args in units if store.get(key) is None]
    assert rerun == [("u3", (3,))]
    run_units(rerun, square_or_die, done, jobs=2, setup=offset, setup_args=(100,))
    assert {k: u["result"] for k, u in store.units.items()} == {f"u{v}": v * v + 100 for v in range(6)}


def test_an_error_in_a_unit_is_raised_in_the_parent_after_the_others_are_stored():
    finished = {}
    with pytest.raises(ValueError, match="unit 2 is bad input"):
        run_units([(f"u{v}", (v,)) for v in range(4)], failing, finished.__setitem__, jobs=2)
    assert "u2" not in finished and {"u0", "u1"} <= set(finished)


@pytest.mark.slow  # 55 s on 2 cores (three TensorFlow processes); run with --runslow
def test_jobs_2_gives_the_same_units_as_jobs_1(synth_is11, tfds_data_dir, tmp_path):
    """1-thread runs are deterministic: two workers compute exactly what one in-process thread computes."""

    def start(jobs, out):
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "serzoo.cli",
                "reproduce",
                "yi-mak-emodb",
                "--dataset",
                "synth_emo/is11",
                "--data-dir",
                str(tfds_data_dir),
                "--methods",
                "cgan",
                "--epochs",
                "3",
                "--k",
                "0,1",
                "--headline-k",
                "1",
                "--folds",
                "2",
                "--classifiers",
                "svm",
                "--no-synthetic-only",
                "--jobs",
                str(jobs),
                "--threads",
                "1",
                "--output-dir",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def units_of(process, out):
        _, err = process.communicate(timeout=900)
        assert process.returncode == 0, err[-3000:]
        units = {}
        for line in (out / "units.jsonl").read_text().splitlines()[1:]:
            unit = json.loads(line)
            for record in unit["payload"]["records"]:
                record.pop("seconds")
            unit["payload"].pop("timings")
            units[unit["key"]] = unit["payload"]
        return units

    runs = {jobs: (start(jobs, tmp_path / f"jobs{jobs}"), tmp_path / f"jobs{jobs}") for jobs in (1, 2)}
    one, two = (units_of(*runs[jobs]) for jobs in (1, 2))
    assert sorted(one) == sorted(two) and len(one) == 2 * 2
    assert one == two
