"""Binary arousal / valence groupings of the EmoDB categories (Schuller et al., ASRU 2009)."""

import numpy as np
import pytest

from serzoo.data import Corpus, SplitData, regroup_labels
from serzoo.emotions import EMODB_CLASSES, EMODB_GROUPINGS, grouping_map


def _corpus():
    y = np.arange(7, dtype=np.int64)  # one utterance per class, in EmoDB's label order
    split = SplitData(x=np.eye(7, dtype=np.float32), y=y, speaker=np.array(["03"] * 7),
                      utterance_id=np.array([f"u{i}" for i in range(7)]))
    return Corpus("emodb", "is11", list(EMODB_CLASSES), {"speaker03": split}, opensmile_set="is11")


def test_every_emodb_class_is_in_exactly_one_group_of_each_grouping():
    for groups in EMODB_GROUPINGS.values():
        members = [name for names in groups.values() for name in names]
        assert sorted(members) == sorted(EMODB_CLASSES) and len(groups) == 2


def test_regrouped_corpus_labels():
    arousal = regroup_labels(_corpus(), "arousal")
    assert arousal.class_names == ["low", "high"] and arousal.feature_set == "is11+arousal"
    # anger, boredom, disgust, fear, happiness, sadness, neutral
    assert arousal.splits["speaker03"].y.tolist() == [1, 0, 0, 1, 1, 0, 0]
    valence = regroup_labels(_corpus(), "valence")
    assert valence.class_names == ["negative", "positive"] and valence.n_classes == 2
    assert valence.splits["speaker03"].y.tolist() == [0, 0, 0, 0, 1, 0, 1]
    corpus = _corpus()
    assert regroup_labels(corpus, "valence").splits["speaker03"].x is corpus.splits["speaker03"].x  # shared
    assert _corpus().splits["speaker03"].y.tolist() == list(range(7))  # the original is untouched


def test_unknown_grouping_or_inventory_is_refused():
    with pytest.raises(ValueError, match="unknown label grouping 'dominance'; choose one of: arousal, valence"):
        grouping_map(EMODB_CLASSES, "dominance")
    with pytest.raises(ValueError, match=r"no group: \['frustration'\]"):
        grouping_map(["anger", "frustration"], "arousal")
