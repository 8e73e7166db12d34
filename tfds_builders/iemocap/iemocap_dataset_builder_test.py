"""IEMOCAP builder tests on the synthetic, format-faithful dummy data (50 utterances).

The TFDS builder tests (one per label scheme), then the parsed fields, counts, errors and one
real build checked field by field.
"""

import collections
import math
import pathlib
import shutil

import numpy as np
import pytest
import tensorflow_datasets as tfds

from serzoo.tfds_builders import testing
from serzoo.tfds_builders.feature_corpus import SchemeConfig, attribute_bin
from serzoo.tfds_builders.iemocap import iemocap_dataset_builder as iemocap

DUMMY = pathlib.Path(iemocap.__file__).parent / "dummy_data"
RELEASE = DUMMY / "IEMOCAP_full_release"


@pytest.mark.slow
class IemocapFourClassTest(tfds.testing.DatasetBuilderTestCase):
    """ang/hap/sad/neu only: 27 of the 50 dummy utterances."""

    DATASET_CLASS = iemocap.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_four_class"]
    SPLITS = {"session1": 5, "session2": 5, "session3": 5, "session4": 6, "session5": 6}
    SKIP_CHECKSUMS = True  # manual download only


@pytest.mark.slow
class IemocapAllTest(tfds.testing.DatasetBuilderTestCase):
    """Every utterance, 11 codes incl. xxx: 10 per session."""

    DATASET_CLASS = iemocap.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_all"]
    SPLITS = {f"session{s}": 10 for s in iemocap.SESSIONS}
    SKIP_CHECKSUMS = True


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the fixture; the manual dir holds IEMOCAP_full_release/."""
    shutil.copytree(RELEASE, tmp_path / "manual" / "IEMOCAP_full_release")
    return tmp_path / "manual"


def _refused(manual_dir, data_dir, error, match, config="egemaps_four_class"):
    """The build from ``manual_dir`` raises ``error`` matching ``match`` and writes nothing."""
    testing.assert_build_refused(iemocap.Builder, config, manual_dir, data_dir, error, match)


def _label_path(manual_dir, session, dialog):
    session_dir = manual_dir / "IEMOCAP_full_release" / f"Session{session}"
    return session_dir / "dialog" / "EmoEvaluation" / f"{dialog}.txt"


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    "utt, expected",
    [
        ("Ses01F_impro01_M000", (1, "Ses01F_impro01", "Ses01M", "male", True, "000")),
        ("Ses03F_impro05b_F001", (3, "Ses03F_impro05b", "Ses03F", "female", True, "001")),
        ("Ses01M_script01_1b_F000", (1, "Ses01M_script01_1b", "Ses01F", "female", False, "000")),
        ("Ses05M_script02_1_M002", (5, "Ses05M_script02_1", "Ses05M", "male", False, "002")),
    ],
)
def test_parse_utterance_id_splits_from_the_right(utt, expected):
    name = iemocap.parse_utterance_id(utt)
    assert (name.session, name.dialog, name.speaker, name.gender, name.improvised, name.turn) == expected


@pytest.mark.parametrize("bad", ["Ses01F_impro01", "Ses01X_impro01_F000", "Ses01F_chat01_F000", "F000"])
def test_parse_utterance_id_rejects_other_names(bad):
    with pytest.raises(ValueError, match="not an IEMOCAP utterance id.*e.g. Ses01F_impro05b_M012"):
        iemocap.parse_utterance_id(bad)


def test_label_file_fields_of_known_lines():
    records = iemocap.parse_label_file(RELEASE / "Session1/dialog/EmoEvaluation/Ses01M_script01_1b.txt")
    assert [r.utterance_id for r in records] == [
        "Ses01M_script01_1b_M000",
        "Ses01M_script01_1b_F000",
        "Ses01M_script01_1b_M001",
        "Ses01M_script01_1b_F001",
        "Ses01M_script01_1b_M002",
    ]
    exc = records[1]
    assert exc.source.endswith("Ses01M_script01_1b.txt:11")
    assert (exc.code, exc.valence, exc.activation, exc.dominance) == ("exc", 4.5, 4.0, 3.5)
    assert (exc.start_time, exc.end_time) == (7.5, 9.6234)
    assert (exc.name.speaker, exc.name.gender, exc.name.session, exc.name.improvised) == ("Ses01F", "female", 1, False)
    assert exc.categorical == (("E1", ("Excited",)), ("E2", ("Excited",)), ("E3", ("Excited",)), ("F1", ("Neutral",)))
    assert exc.attributes[0] == ("E1", 4.0, 4.0, 4.0)
    rater, val, act, dom = exc.attributes[1]  # "A-E2: val 4; act 4; dom  ;" (no dominance)
    assert (rater, val, act) == ("E2", 4.0, 4.0) and math.isnan(dom)
    no_majority = records[3]
    assert no_majority.code == "xxx"
    assert (no_majority.valence, no_majority.activation) == (2.6667, 3.3333)
    assert no_majority.categorical[0] == ("E1", ("Frustration", "Anger"))
    assert math.isnan(no_majority.attributes[1][3])  # "A-E2: val 3; act 3;" (no dom field at all)
    assert records[4].code == "oth"


def test_transcripts_give_the_text_and_skip_other_lines():
    texts = iemocap.parse_transcription_file(RELEASE / "Session1/dialog/transcriptions/Ses01F_impro01.txt")
    assert len(texts) == 5 and texts["Ses01F_impro01_F000"] == "Okay well maybe."


def test_scan_reads_top_level_labels_only_and_joins_on_ids():
    scan = iemocap.scan_corpus(DUMMY)
    labels = {r.utterance_id: r for r in scan.labels}
    assert len(labels) == 50 and len(scan.wavs) == 50
    assert scan.unlabelled_wavs == [] and scan.missing_wavs == []
    # The Self-evaluation/ decoy says "sur" for this utterance and adds F099: both ignored.
    assert labels["Ses01F_impro01_F000"].code == "neu"
    assert not any(uid.endswith("F099") for uid in labels)
    # dialog/wav/Ses01F_impro01.wav (a whole dialog) is not an utterance.
    assert "Ses01F_impro01" not in scan.wavs
    for uid, record in labels.items():
        assert scan.wavs[uid].stem == uid and scan.wavs[uid].parent.name == record.name.dialog
    # Label blocks interleave speakers: zipping sorted file lists would mislabel them.
    order = [r.utterance_id for r in scan.labels if r.name.dialog == "Ses01F_impro01"]
    assert order != sorted(order)
    assert scan.texts["Ses03F_impro05b_M000"]


SCHEME_COUNTS = {
    "four_class": {"anger": 6, "happiness": 5, "sadness": 6, "neutral": 10},
    "four_class_exc": {"anger": 6, "happiness": 10, "sadness": 6, "neutral": 10},
    "all": {
        "anger": 6,
        "happiness": 5,
        "sadness": 6,
        "neutral": 10,
        "excitement": 5,
        "frustration": 5,
        "surprise": 2,
        "fear": 1,
        "disgust": 1,
        "other": 1,
        "no_majority": 8,
    },
}


@pytest.mark.parametrize("scheme", SCHEME_COUNTS)
def test_class_counts_per_scheme(scheme):
    labels = iemocap.scan_corpus(DUMMY).labels
    assert iemocap.scheme_counts(labels, scheme) == SCHEME_COUNTS[scheme]


def test_session_and_speaker_counts():
    labels = iemocap.scan_corpus(DUMMY).labels
    four = [r for r in labels if iemocap.scheme_label(r.code, "four_class")]
    assert collections.Counter(r.name.session for r in four) == {1: 5, 2: 5, 3: 5, 4: 6, 5: 6}
    assert collections.Counter(r.name.speaker for r in four) == {
        "Ses01F": 2,
        "Ses01M": 3,
        "Ses02F": 2,
        "Ses02M": 3,
        "Ses03F": 3,
        "Ses03M": 2,
        "Ses04F": 2,
        "Ses04M": 4,
        "Ses05F": 5,
        "Ses05M": 1,
    }
    assert collections.Counter(r.name.speaker for r in labels) == {
        **{s: 5 for s in iemocap.SPEAKERS},
        "Ses02F": 6,
        "Ses02M": 4,
    }
    assert sum(r.name.improvised for r in labels) == 25


def test_scheme_label_and_bins():
    assert iemocap.scheme_label("exc", "four_class") is None
    assert iemocap.scheme_label("exc", "four_class_exc") == "happiness"
    assert iemocap.scheme_label("xxx", "all") == "no_majority"
    assert iemocap.scheme_label("fru", "four_class_exc") is None
    with pytest.raises(ValueError, match="unknown IEMOCAP label scheme 'five'"):
        iemocap.scheme_label("neu", "five")
    assert [attribute_bin(v, 2.5, 3.5) for v in (1.0, 2.5, 2.6667, 3.5, 3.5001, 5.0)] == [0, 0, 1, 1, 2, 2]
    assert attribute_bin(math.nan, 2.5, 3.5) == -1


def test_make_utterance_with_custom_thresholds():
    record = next(r for r in iemocap.scan_corpus(DUMMY).labels if r.utterance_id == "Ses01F_impro01_F000")
    config = SchemeConfig(name="egemaps_all_t2", feature_set="egemaps", label_scheme="all", low_max=2.0, mid_max=2.75)
    utt = iemocap.make_utterance(record, pathlib.Path("x.wav"), "hi", config)
    assert (utt.label, utt.group, utt.speaker, utt.text) == ("neutral", "1", "Ses01F", "hi")
    # V 3.0 A 2.5 D 2.5: high / mid / mid with these thresholds (mid / low / low by default)
    assert [utt.extra[f"{k}_class"] for k in ("valence", "activation", "dominance")] == [2, 1, 1]


def test_configs_are_the_full_product_with_is10_four_class_first():
    names = [c.name for c in iemocap.Builder.BUILDER_CONFIGS]
    assert names[0] == "is10_four_class" and len(names) == 18 == len(set(names))
    assert {"is09_four_class", "egemaps_four_class_exc", "compare_lld_all", "is11_all"} <= set(names)


def test_bad_thresholds_are_refused(tmp_path):
    config = SchemeConfig(name="bad", feature_set="egemaps", label_scheme="all", low_max=3.5, mid_max=2.5)
    with pytest.raises(ValueError, match="low_max \\(3.5\\) must be below mid_max \\(2.5\\)"):
        iemocap.Builder(config=config, data_dir=tmp_path).info  # noqa: B018


def test_speaker_folds():
    folds = iemocap.speaker_folds()
    assert [f.speaker for f in folds] == list(iemocap.SPEAKERS)
    assert (folds[5].speaker, folds[5].test_split, folds[5].train_split) == (
        "Ses03M",
        "session3",
        "session1+session2+session4+session5",
    )


# ------------------------------------------------------------------ layout and errors


def test_manual_dir_may_be_the_release_folder_itself():
    assert iemocap.corpus_root(RELEASE) == RELEASE
    assert iemocap.corpus_root(DUMMY) == RELEASE


def test_manual_dir_without_the_corpus_names_the_layout(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(FileNotFoundError, match="IEMOCAP not found in .*Expected layout: .*Session1"):
        iemocap.scan_corpus(tmp_path)


def test_malformed_label_line_names_file_and_line(corpus_copy, tmp_path):
    path = _label_path(corpus_copy, 2, "Ses02M_impro03")
    lines = path.read_text().splitlines()
    assert lines[2].startswith("[3.0000 - 5.1234]\tSes02M_impro03_F000")
    lines[2] = "[3.0000 - 5.1234]\tSes02M_impro03_F000\tfru\t[2.0000, 3.5000]"  # dominance lost
    path.write_text("\n".join(lines) + "\n")
    message = r"Ses02M_impro03.txt:3: malformed utterance line .*expected \[start - end\]<TAB>utterance id.*Fix"
    _refused(corpus_copy, tmp_path / "data", ValueError, message)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("\tfru\t", "\tfrx\t", r"Ses02M_impro03.txt:3: unknown emotion code 'frx'"),
        (
            "Ses02M_impro03_F000\t",
            "Ses02M_impro04_F000\t",
            r"Ses02M_impro03.txt:3: utterance .* belongs to dialog Ses02M_impro04",
        ),
        ("C-E1:", "Rater E1:", r"Ses02M_impro03.txt:4: unexpected line 'Rater E1:"),
    ],
)
def test_label_line_errors_name_file_and_line(corpus_copy, old, new, message):
    path = _label_path(corpus_copy, 2, "Ses02M_impro03")
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ValueError, match=message):
        iemocap.scan_corpus(corpus_copy)


def test_an_utterance_labelled_twice_is_an_error(corpus_copy):
    source = _label_path(corpus_copy, 2, "Ses02M_impro03")
    (source.parent / "Ses02M_impro03_copy.txt").write_text(source.read_text())
    with pytest.raises(ValueError, match="belongs to dialog Ses02M_impro03, not to Ses02M_impro03_copy"):
        iemocap.scan_corpus(corpus_copy)


def test_missing_session_folder_names_it(corpus_copy, tmp_path):
    shutil.rmtree(corpus_copy / "IEMOCAP_full_release" / "Session3")
    message = "session 3: folder .*Session3 is missing; copy Session3"
    _refused(corpus_copy, tmp_path / "data", FileNotFoundError, message)


def test_labelled_utterance_without_wav_is_an_error(corpus_copy, tmp_path):
    wav_dir = corpus_copy / "IEMOCAP_full_release/Session4/sentences/wav/Ses04M_impro06"
    (wav_dir / "Ses04M_impro06_F001.wav").unlink()
    message = (
        r"(?s)1 labelled utterance\(s\) have no WAV.*Ses04M_impro06_F001 \(labelled at .*"
        r"Ses04M_impro06.txt:\d+\).*Restore"
    )
    _refused(corpus_copy, tmp_path / "data", FileNotFoundError, message, config="egemaps_all")


# ------------------------------------------------------------------ one real build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """egemaps_four_class built from the fixture plus one WAV that has no label."""
    manual = tmp_path_factory.mktemp("iemocap") / "manual"
    shutil.copytree(RELEASE, manual / "IEMOCAP_full_release")
    wav_dir = manual / "IEMOCAP_full_release/Session2/sentences/wav/Ses02M_impro03"
    shutil.copy(wav_dir / "Ses02M_impro03_F000.wav", wav_dir / "Ses02M_impro03_F099.wav")
    return testing.build_logged(iemocap.Builder, "egemaps_four_class", manual, tmp_path_factory.mktemp("data"))


def test_unlabelled_wav_is_a_reported_skip(built):
    skipped = "Session2/sentences/wav/Ses02M_impro03/Ses02M_impro03_F099.wav"
    testing.assert_reported_skip(built, skipped, "without a label")
    reloaded = iemocap.Builder(config="egemaps_four_class", data_dir=built[0].data_dir_root)
    assert reloaded.info.metadata["skipped_wavs"] == [skipped]


def test_built_splits_and_classes(built):
    builder, rows, _ = built
    assert {s: builder.info.splits[f"session{s}"].num_examples for s in iemocap.SESSIONS} == {
        "1": 5,
        "2": 5,
        "3": 5,
        "4": 6,
        "5": 6,
    }
    names = builder.info.features["label"].names
    assert names == list(iemocap.FOUR_CLASSES)
    assert collections.Counter(names[r["label"]] for r in rows.values()) == SCHEME_COUNTS["four_class"]


def test_built_example_fields(built):
    builder, rows, _ = built
    features = builder.info.features
    row = rows["Ses03F_impro05b_F000"]
    assert features["label"].names[row["label"]] == "anger"
    assert (row["speaker"], features["gender"].names[row["gender"]]) == (b"Ses03F", "female")
    assert (row["session"], row["dialog"], row["improvised"], row["emotion_code"]) == (
        3,
        b"Ses03F_impro05b",
        True,
        b"ang",
    )
    assert (row["valence"], row["activation"], row["dominance"]) == (1.5, 4.5, 4.0)
    assert (row["valence_class"], row["activation_class"], row["dominance_class"]) == (0, 2, 2)
    assert row["text"] == b"Okay well maybe."
    assert row["features"].shape == (88,) and np.all(np.isfinite(row["features"]))
    scripted = rows["Ses04F_script01_1b_M000"]  # dialog of the F mocap actor, spoken by M
    assert (scripted["speaker"], scripted["gender"], scripted["improvised"]) == (b"Ses04M", 1, False)
    neutral = rows["Ses01F_impro01_F000"]  # V 3.0 A 2.5 D 2.5 → mid, low, low
    assert (neutral["valence_class"], neutral["activation_class"], neutral["dominance_class"]) == (1, 0, 0)
    assert (neutral["start_time"], neutral["end_time"]) == (3.0, np.float32(5.1234))


def test_speaker_fold_datasets(built):
    builder, _, _ = built
    fold = iemocap.speaker_fold_datasets(builder, "Ses03M")
    speakers = {k: [r["speaker"].decode() for r in tfds.as_numpy(ds)] for k, ds in fold.items()}
    assert speakers["test"] == ["Ses03M"] * 2
    assert speakers["validation"] == ["Ses03F"] * 3
    assert len(speakers["train"]) == 22 and not any(s.startswith("Ses03") for s in speakers["train"])
    with pytest.raises(ValueError, match="unknown IEMOCAP speaker 'Ses06F'"):
        iemocap.speaker_fold_datasets(builder, "Ses06F")


if __name__ == "__main__":
    tfds.testing.test_main()
