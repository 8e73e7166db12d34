"""The schedule benchmark's checkpoints measure what a run of that many epochs gives."""

import pathlib
import sys

import pytest

from tests.scheme_checks import N_CLASSES, TINY_OPTIONS, tiny_data

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))


@pytest.mark.slow
def test_measuring_at_a_checkpoint_leaves_the_rest_of_the_run_unchanged():
    from bench_schedule import train_and_measure

    x, y = tiny_data()
    tiny = dict(jit_compile=False, **TINY_OPTIONS["wadan"])  # WADAN draws noise in every step
    measured_twice = train_and_measure("wadan", 1e-3, [2, 4], x, y, N_CLASSES, **tiny)
    measured_at_the_end = train_and_measure("wadan", 1e-3, [4], x, y, N_CLASSES, **tiny)
    assert [c["epochs"] for c in measured_twice] == [2, 4]
    for key in ("trts_uar", "tstr_uar", "mmd"):
        assert measured_twice[1][key] == pytest.approx(measured_at_the_end[0][key], abs=1e-6)
    assert measured_twice[1]["mmd"] != pytest.approx(measured_twice[0]["mmd"], abs=1e-9)  # training went on


def test_a_decaying_rate_is_one_run_per_epoch_count():
    from bench_schedule import parse_runs

    assert parse_runs("1e-4:100,50;1e-3/32~cosine:50,100") == [
        (1e-4, 128, "constant", [50, 100]),
        (1e-3, 32, "cosine", [50]),
        (1e-3, 32, "cosine", [100]),
    ]
