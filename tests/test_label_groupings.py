"""Binary arousal / valence groupings of the EmoDB categories (Schuller et al., ASRU 2009)."""

import numpy as np
import pytest

from serzoo.data import Corpus, SplitData, map_classes
from serzoo.emotions import CLASS_SETS, EMODB_CLASSES, class_map


def _corpus():
    y = np.arange(7, dtype=np.int64)  # one utterance per class, in EmoDB's label order
    split = SplitData(
        x=np.eye(7, dtype=np.float32),
        y=y,
        speaker=np.array(["03"] * 7),
        utterance_id=np.array([f"u{i}" for i in range(7)]),
    )
    return Corpus("emodb", "is11", list(EMODB_CLASSES), {"speaker03": split}, opensmile_set="is11")


def test_every_emodb_class_is_in_exactly_one_group_of_each_grouping():
    for grouping in ("arousal", "valence"):
        members = [name for names in CLASS_SETS[grouping].groups.values() for name in names]
        assert sorted(members) == sorted(EMODB_CLASSES) and len(CLASS_SETS[grouping].groups) == 2


def test_regrouped_corpus_labels():
    arousal = map_classes(_corpus(), "arousal")
    assert arousal.class_names == ["low", "high"] and arousal.feature_set == "is11+arousal"
    # anger, boredom, disgust, fear, happiness, sadness, neutral
    assert arousal.splits["speaker03"].y.tolist() == [1, 0, 0, 1, 1, 0, 0]
    valence = map_classes(_corpus(), "valence")
    assert valence.class_names == ["negative", "positive"] and valence.n_classes == 2
    assert valence.splits["speaker03"].y.tolist() == [0, 0, 0, 0, 1, 0, 1]
    corpus = _corpus()
    assert map_classes(corpus, "valence").splits["speaker03"].x is corpus.splits["speaker03"].x  # shared
    assert _corpus().splits["speaker03"].y.tolist() == list(range(7))  # the original is untouched


def test_unknown_grouping_or_inventory_is_refused():
    with pytest.raises(ValueError, match="unknown class set 'dominance'; choose one of: shared6, shared4, arousal"):
        class_map(EMODB_CLASSES, "dominance")
    with pytest.raises(ValueError, match=r"classes \['frustration'\] have no group"):
        class_map(["anger", "frustration"], "arousal")


@pytest.mark.slow
def test_rated_corpus_attribute_classes_reach_the_semi_aae_command(tmp_path, capsys):
    """IEMOCAP's 3-bin attribute classes (the paper's Table 1 labels) as ``y``, through ``serzoo semi-aae``."""
    import math
    import pathlib
    import shutil

    import tensorflow_datasets as tfds

    from serzoo import cli
    from serzoo.data import load_corpus, prepare_builder

    fixture = pathlib.Path(__file__).resolve().parents[1] / "tfds_builders" / "iemocap" / "dummy_data"
    dummy = shutil.copytree(fixture, tmp_path / "manual")
    labels = dummy / "IEMOCAP_full_release/Session1/dialog/EmoEvaluation/Ses01F_impro01.txt"
    consensus = "Ses01F_impro01_F000\tneu\t[3.0000, 2.5000, 2.5000]"
    assert consensus in labels.read_text()
    labels.write_text(labels.read_text().replace(consensus, consensus.replace("2.5000]", "nan]")))  # no dominance
    data_dir = tmp_path / "tfds"
    builder = prepare_builder("iemocap/egemaps_all", data_dir=data_dir, manual_dir=dummy)
    kept = {}
    for attribute in ("activation", "dominance"):
        corpus = load_corpus("iemocap/egemaps_all", data_dir=data_dir, manual_dir=dummy, label=f"{attribute}_class")
        assert corpus.class_names == ["low", "mid", "high"]
        assert corpus.feature_set == f"egemaps_all+{attribute}_class"
        kept[attribute] = 0
        for split, data in corpus.splits.items():
            rows = list(tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)))
            rated = [r for r in rows if not math.isnan(r[attribute])]
            expected = [0 if r[attribute] <= 2.5 else 1 if r[attribute] <= 3.5 else 2 for r in rated]
            assert data.y.tolist() == expected
            assert data.utterance_id.tolist() == [r["utterance_id"].decode() for r in rated]
            kept[attribute] += len(rated)
    assert kept["dominance"] == kept["activation"] - 1 == 49  # the utterance without a dominance is left out
    with pytest.raises(ValueError, match="has no class label 'arousal_class'; its class labels: label, "):
        load_corpus("iemocap/egemaps_all", data_dir=data_dir, manual_dir=dummy, label="arousal_class")
    out = tmp_path / "semi"
    assert (
        cli.main(
            [
                "semi-aae",
                "--dataset",
                "iemocap/egemaps_all",
                "--manual-dir",
                str(dummy),
                "--data-dir",
                str(data_dir),
                "--labels",
                "activation3",
                "--folds",
                "1",
                "--epochs",
                "1",
                "--methods",
                "base",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    report = (out / "report.md").read_text()
    assert report.startswith("# Semi-supervised AAE") and "iemocap/egemaps_all" in report.splitlines()[0]
    assert "| base |" in report  # the base method's row of the UAR table
    assert json_classes(out) == ["low", "mid", "high"]


def json_classes(out) -> list:
    import json

    return json.loads((out / "results.json").read_text())["class_names"]
