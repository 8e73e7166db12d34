"""M1/M2/M3 comparison of Sahu et al. (metrics 1-3, t-SNE, loss curves) at toy scale, with resume."""

import json

import numpy as np
import pytest

from serzoo import report
from serzoo.experiments.generator_comparison import METRICS, balanced_labels, render_report, run_generator_comparison

TINY = {"widths": (16, 8)}  # the M3 defaults of code/CG/D2 sizes stay, only the autoencoder shrinks


def test_balanced_labels():
    labels = balanced_labels(10, 3)
    assert labels.tolist() == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]


@pytest.mark.slow
def test_generator_comparison_end_to_end_and_resume(synth_is11, tmp_path):
    run = dict(models=("m1", "m3"), epochs=2, schedule="serzoo", options=TINY, max_folds=1, progress=False)
    result = run_generator_comparison(synth_is11, tmp_path, **run)
    assert set(result["table"]) == {"m1", "m3"} and result["folds"] == 1
    for model in ("m1", "m3"):
        row = result["table"][model]
        for metric in METRICS:
            assert np.isfinite(row[metric]["mean"]), (model, metric)
        for metric in ("metric1_set1", "metric2_set1", "metric1_set2", "metric2_set2"):
            assert 0.0 <= row[metric]["mean"] <= 1.0
        assert row["fid"]["mean"] >= 0.0 and row["mmd"]["mean"] >= 0.0
    text = render_report(result, tmp_path)
    report.write_report(tmp_path, text, result)
    assert "| M3 (paper) |" in text and "33.99" in text
    assert (tmp_path / "tsne_real_vs_synthetic.png").exists() and (tmp_path / "loss_curves.png").exists()
    saved = json.loads((tmp_path / "results.json").read_text())
    assert "examples" not in saved and saved["table"]["m1"]["fid"] == result["table"]["m1"]["fid"]

    # a second run resumes: nothing is retrained, the numbers are the stored ones
    again = run_generator_comparison(synth_is11, tmp_path, **run)
    assert again["units"] == result["units"]
    with pytest.raises(ValueError, match="different settings"):
        run_generator_comparison(synth_is11, tmp_path, **{**run, "epochs": 3})
    with pytest.raises(ValueError, match="unknown schedule 'sgd'"):
        run_generator_comparison(synth_is11, tmp_path, **{**run, "schedule": "sgd"})
    with pytest.raises(ValueError, match=r"different settings \(optimizers\)"):
        run_generator_comparison(synth_is11, tmp_path, **{**run, "schedule": "paper"})


@pytest.mark.slow
def test_groups_builder_options_and_rate_scales_reach_every_unit(synth_is11, tmp_path, monkeypatch):
    """The M2/M3 remedies: one decoder update per D2 update (a builder option), a lower D2 rate (a rate scale), on
    the development speakers only (groups)."""
    from serzoo import augmenters
    from serzoo.cli import common

    seen, original = [], augmenters.make_augmenter

    def recording(method, **kwargs):
        seen.append((method, kwargs))
        return original(method, **kwargs)

    monkeypatch.setattr(augmenters, "make_augmenter", recording)
    groups = sorted(synth_is11.splits)[:3]
    scales = common.rate_scales("feature_discriminator=0.1,decoder=0.5")
    assert scales == (("feature_discriminator", 0.1), ("decoder", 0.5))
    result = run_generator_comparison(
        synth_is11,
        tmp_path,
        models=("m2",),
        epochs=1,
        schedule="serzoo",
        options={**TINY, "generator_steps": 1},
        groups=groups,
        rate_scales=scales,
        progress=False,
    )
    assert (
        result["folds"] == 3
        and result["groups"] == groups
        and result["training"] == "feature_discriminatorx0.1+decoderx0.5"
    )
    assert {unit["fold"] for unit in result["units"]} == set(groups)
    method, kwargs = seen[0]
    assert method == "m2" and kwargs["generator_steps"] == 1 and kwargs["training"].rate_scales == scales
    with pytest.raises(Exception, match="expected player=factor"):
        common.rate_scales("decoder")
