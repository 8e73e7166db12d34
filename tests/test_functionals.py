"""Utterance functionals of contours, against plain numpy computed one sequence and one LLD at a time."""

import numpy as np
import pytest

from serzoo.functionals import FUNCTIONALS, functional_names, functionals


def _by_hand(sequence: np.ndarray) -> list[float]:
    """Every functional of every LLD of one sequence, LLD-major, with numpy's own routines."""
    values = []
    for x in sequence.T:
        t = np.arange(len(x))
        slope = np.polyfit(t, x, 1)[0] if len(x) > 1 else 0.0
        delta = np.mean(np.abs(np.diff(x))) if len(x) > 1 else 0.0
        values += [np.mean(x), np.std(x), *np.percentile(x, [10, 50, 90]), slope, delta]
    return values


def test_functionals_equal_numpy_on_sequences_of_mixed_lengths():
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(length, 3)) * [1, 10, 0.1] + [0, 5, -2] for length in (1, 2, 7, 7, 50, 3)]
    sequences[3][:, 1] += np.arange(7) * 0.5  # a trend, for the slope
    got = functionals(sequences)
    assert got.shape == (6, 3 * len(FUNCTIONALS)) and got.dtype == np.float32
    np.testing.assert_allclose(got, np.array([_by_hand(s) for s in sequences]), rtol=1e-5, atol=1e-5)
    stacked = np.stack([sequences[2], sequences[3]])  # one [n, frames, LLDs] array works as well
    np.testing.assert_array_equal(functionals(stacked), got[2:4])


def test_functionals_of_known_contours():
    ramp = np.stack([np.arange(5.0), np.full(5, 3.0)], axis=1)  # slope 1, |delta| 1; constant: all spread 0
    row = functionals([ramp])[0].reshape(2, -1)
    named = dict(zip(FUNCTIONALS, row[0]))
    assert named["slope"] == pytest.approx(1.0) and named["mean_abs_delta"] == pytest.approx(1.0)
    assert named["p50"] == pytest.approx(2.0) and named["p10"] == pytest.approx(0.4)
    assert dict(zip(FUNCTIONALS, row[1])) == pytest.approx(
        {"mean": 3, "std": 0, "p10": 3, "p50": 3, "p90": 3, "slope": 0, "mean_abs_delta": 0}
    )


def test_functional_names_are_lld_major():
    names = functional_names(["F0", "loudness"])
    assert names[: len(FUNCTIONALS)] == [f"F0_{f}" for f in FUNCTIONALS] and names[-1] == "loudness_mean_abs_delta"


def test_bad_sequences_are_refused_with_their_index():
    with pytest.raises(ValueError, match="sequence 1 must be a non-empty"):
        functionals([np.zeros((3, 2)), np.zeros((0, 2))])
    with pytest.raises(ValueError, match="sequence 1 has 3 LLDs"):
        functionals([np.zeros((3, 2)), np.zeros((3, 3))])
    with pytest.raises(ValueError, match="no sequences"):
        functionals([])
