"""Cross-corpus protocol: class intersection, speaker subsampling, end to end synth_emo → EmoDB."""

import numpy as np
import pytest

from serzoo.data import Corpus, SplitData
from serzoo.experiments import cross_corpus


def _corpus(name, classes, n_per_speaker=10, speakers=("a", "b")):
    rng = np.random.default_rng(0)
    splits = {}
    for s in speakers:
        y = np.arange(n_per_speaker) % len(classes)
        splits[f"speaker_{s}"] = SplitData(
            rng.normal(size=(n_per_speaker, 4)) + y[:, None],
            y,
            np.array([s] * n_per_speaker),
            np.array([f"{s}{i}" for i in range(10)]),
        )
    return Corpus(name, "x", list(classes), splits)


def test_shared_classes_and_relabelling():
    source = _corpus("a", ["anger", "boredom", "neutral"])
    target = _corpus("b", ["neutral", "anger", "happiness"])
    assert cross_corpus.shared_classes(source, target) == ["anger", "neutral"]
    with pytest.raises(ValueError, match="share fewer than two classes"):
        cross_corpus.shared_classes(source, _corpus("c", ["anger", "joy"]))
    x, y = cross_corpus._restrict(target.splits["speaker_a"], target.class_names, ["anger", "neutral"])
    assert set(y) == {0, 1} and len(y) == 7  # happiness rows dropped, neutral → 1, anger → 0


def test_subsampling_keeps_every_speaker():
    data = _corpus("a", ["x", "y"]).select(["speaker_a", "speaker_b"])
    rows = cross_corpus.subsample_speakers(data, 0.3, np.random.default_rng(0))
    assert len(rows) == 6 and set(data.speaker[rows]) == {"a", "b"}
    with pytest.raises(ValueError, match="fractions must lie in"):
        cross_corpus.subsample_speakers(data, 1.5, np.random.default_rng(0))


@pytest.mark.integration
def test_synthetic_to_real_emodb_end_to_end(synth_is11, real_emodb_dir, tfds_data_dir):
    from serzoo.data import load_corpus

    emodb = load_corpus("emodb/is11", data_dir=tfds_data_dir, manual_dir=real_emodb_dir)
    result = cross_corpus.run_cross_corpus(
        synth_is11, emodb, fractions=(0.25, 1.0), n_synthetic=(0, 200), method="smote", progress=False
    )
    assert len(result["rows"]) == 4 and result["classes"] == emodb.class_names
    assert {r["n_real"] for r in result["rows"] if r["fraction"] == 1.0} == {280}
    assert all(np.array(r["confusion"]).sum() == 535 for r in result["rows"])
    table = cross_corpus.cross_corpus_table(result)
    assert "| 25 |" in table and "N = 200" in table
