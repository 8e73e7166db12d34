"""Contour realism measures of :mod:`serzoo.quality` on contours whose answer is known by construction."""

import numpy as np
import pytest

from serzoo import quality


def _ar1(rng, n, frames, llds, phi):
    """``n`` AR(1) contours ``x_t = phi x_{t-1} + e_t`` (stationary start), ``[frames, llds]`` each."""
    out = []
    for _ in range(n):
        x = np.empty((frames, llds))
        x[0] = rng.normal(size=llds) / np.sqrt(1 - phi**2)
        for t in range(1, frames):
            x[t] = phi * x[t - 1] + rng.normal(size=llds)
        out.append(x)
    return out


def test_global_variance_and_delta_spread_scale_with_the_contour():
    rng = np.random.default_rng(0)
    real = [rng.normal(size=(length, 4)) for length in (30, 64, 90)]
    scaled = [3.0 * s + 7.0 for s in real]  # an offset changes neither
    np.testing.assert_allclose(quality.global_variance(scaled) / quality.global_variance(real), 9.0)
    np.testing.assert_allclose(quality.delta_spread(scaled) / quality.delta_spread(real), 3.0)
    by_hand = np.mean([np.var(s[:, 2]) for s in real])
    assert quality.global_variance(real)[2] == pytest.approx(by_hand)
    flat = [np.tile(s.mean(0), (len(s), 1)) for s in real]
    assert np.all(quality.global_variance(flat) < 1e-20) and np.all(quality.delta_spread(flat) == 0)


def test_lag1_autocorrelation_reads_smoothness():
    rng = np.random.default_rng(1)
    smooth = quality.lag1_autocorrelation(_ar1(rng, 20, 400, 2, 0.9))
    white = quality.lag1_autocorrelation(_ar1(rng, 20, 400, 2, 0.0))
    np.testing.assert_allclose(smooth, 0.9, atol=0.04)
    np.testing.assert_allclose(white, 0.0, atol=0.04)
    assert np.all(quality.lag1_autocorrelation([np.ones((10, 2))]) == 0)


def test_modulation_spectrum_peaks_at_a_sinusoids_frequency_and_scales_in_db():
    t = np.arange(128)
    sine = np.stack([np.sin(2 * np.pi * 5 * t / 64), np.cos(2 * np.pi * 12 * t / 64)], axis=1)
    spectrum = quality.modulation_spectrum([sine])
    assert spectrum.shape == (32, 2)
    assert spectrum[:, 0].argmax() == 4 and spectrum[:, 1].argmax() == 11  # bin k (DC dropped) at row k - 1
    rng = np.random.default_rng(2)
    real = [rng.normal(size=(200, 3)) for _ in range(4)]
    assert quality.modulation_spectrum_distance(real, real) == 0.0
    assert quality.modulation_spectrum_distance(real, [2 * s for s in real]) == pytest.approx(20 * np.log10(2))
    with pytest.raises(ValueError, match="no sequence has 64 frames"):
        quality.modulation_spectrum([np.zeros((10, 2))])


def _classes(rng, n_per_class=20, frames=100):
    """Three classes of AR(0.8) contours with their own level and spread: functionals separate them."""
    sequences, labels = [], []
    for k in range(3):
        for contour in _ar1(rng, n_per_class, frames, 4, 0.8):
            sequences.append((1 + k) * contour + 3 * k)
            labels.append(k)
    return sequences, np.array(labels)


def test_contour_quality_of_copies_flat_contours_and_the_real_vs_real_reference():
    rng = np.random.default_rng(3)
    real, y = _classes(rng)
    same = quality.contour_quality(real, y, real, y, 3)
    assert same["gv_ratio"] == pytest.approx(1.0) and same["delta_spread_ratio"] == pytest.approx(1.0)
    assert same["ms_distance"] == 0.0 and same["functionals_mmd"] == pytest.approx(0.0, abs=1e-9)
    assert same["functionals_trts_uar"] == 1.0 and same["functionals_tstr_uar"] == 1.0
    assert len(same["per_lld"]["gv_ratio"]) == 4
    flat = [np.tile(s.mean(0), (len(s), 1)) for s in real]  # the old decoder: each contour at its mean
    collapsed = quality.contour_quality(real, y, flat, y, 3, tstr=False)
    assert collapsed["gv_ratio"] < 1e-6 and collapsed["delta_spread_ratio"] == 0.0
    assert collapsed["lag1_synthetic"] == 0.0 and collapsed["lag1_real"] == pytest.approx(0.8, abs=0.1)
    assert collapsed["ms_distance"] > 50 and "functionals_tstr_uar" not in collapsed
    reference = quality.contour_reference(real, y, 3, seed=0)
    assert 0.8 < reference["gv_ratio"] < 1.25 and 0.8 < reference["delta_spread_ratio"] < 1.25
    assert reference["ms_distance"] < 2.0 and reference["functionals_trts_uar"] > 0.9
    assert quality.contour_reference(real, y, 3, seed=1)["gv_ratio"] != reference["gv_ratio"]  # other halves
