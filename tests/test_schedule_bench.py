"""The schedule benchmark's checkpoints measure what a shorter run of the same scheme would give."""

import pathlib
import sys

import pytest

from tests.scheme_checks import N_CLASSES, TINY_OPTIONS, tiny_data

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))


def test_a_checkpoint_measures_what_the_shorter_run_gives():
    from bench_schedule import train_and_measure

    x, y = tiny_data()
    tiny = dict(jit_compile=False, **TINY_OPTIONS["wadan"])  # WADAN draws noise in every step
    long_run = train_and_measure("wadan", 1e-3, [2, 4], x, y, N_CLASSES, **tiny)
    short_run = train_and_measure("wadan", 1e-3, [2], x, y, N_CLASSES, **tiny)
    assert [c["epochs"] for c in long_run] == [2, 4]
    for key in ("trts_uar", "tstr_uar", "mmd"):
        assert long_run[0][key] == pytest.approx(short_run[0][key], abs=1e-6)
    assert long_run[1]["mmd"] != pytest.approx(long_run[0]["mmd"], abs=1e-9)  # training went on after the checkpoint
