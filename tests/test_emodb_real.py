"""Integration: build the real EmoDB (SERZOO_EMODB_DIR, or shared/corpora/emodb beside the clone)."""

import collections

import numpy as np
import pytest

from serzoo import features
from serzoo.data import load_corpus

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # the real corpus: about 2 minutes

EMOTION_COUNTS = {"anger": 127, "boredom": 81, "neutral": 79, "happiness": 71, "fear": 69, "sadness": 62, "disgust": 46}
SPEAKER_COUNTS = {"03": 49, "08": 58, "09": 43, "10": 38, "11": 55, "12": 35, "13": 61, "14": 69, "15": 56, "16": 71}


@pytest.fixture(scope="session")
def emodb_is11(real_emodb_dir, tmp_path_factory):
    """Built into a data dir of its own: the session's shared one holds emodb/is11 built from the dummy data."""
    return load_corpus("emodb/is11", data_dir=tmp_path_factory.mktemp("real_emodb"), manual_dir=real_emodb_dir)


def test_real_emodb_counts_and_dimensions(emodb_is11):
    splits = emodb_is11.splits
    assert sum(s.y.size for s in splits.values()) == 535
    assert {name: s.y.size for name, s in splits.items()} == {f"speaker{k}": v for k, v in SPEAKER_COUNTS.items()}
    labels = np.concatenate([s.y for s in splits.values()])
    counts = collections.Counter(emodb_is11.class_names[k] for k in labels)
    assert dict(counts) == EMOTION_COUNTS
    for name, split in splits.items():
        assert split.x.shape == (split.y.size, 4368) and np.isfinite(split.x).all()
        assert set(split.speaker) == {name.removeprefix("speaker")}
    ids = np.concatenate([s.utterance_id for s in splits.values()])
    assert len(set(ids)) == 535 and "14a07Aa" in ids  # a file with an extra RIFF PAD chunk


def test_real_emodb_dimensions_of_every_feature_set(real_emodb_dir):
    paths = sorted((real_emodb_dir / "wav").glob("*.wav"))[:2] + [real_emodb_dir / "wav" / "14a07Aa.wav"]
    for fs in features.FEATURE_SETS.values():
        result = features.extract_many(paths, fs.name, progress=False)
        for values in result.features:
            assert values.shape[-1] == fs.dim
            assert (values.ndim == 2) == fs.frame_level
