"""MSP-IMPROV builder tests on the synthetic, format-faithful dummy data (30 clips).

The TFDS builder tests (one per label scheme), then the parsed fields, counts, errors and one
real build checked field by field.
"""

import collections
import math
import pathlib
import shutil

import numpy as np
import pytest
import soundfile
import tensorflow_datasets as tfds

from serzoo import features
from serzoo.tfds_builders import testing
from serzoo.tfds_builders.msp_improv import msp_improv_dataset_builder as msp

DUMMY = pathlib.Path(msp.__file__).parent / "dummy_data"
HIGH_RATE = DUMMY / "Audio/session6/S15A/S/MSP-IMPROV-S15A-M06-S-MM02.wav"


class MspImprovFourClassTest(tfds.testing.DatasetBuilderTestCase):
    """Consensus A/H/S/N only: 25 of the 30 dummy clips."""

    DATASET_CLASS = msp.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_four_class"]
    SPLITS = {"session1": 4, "session2": 4, "session3": 4, "session4": 4, "session5": 4, "session6": 5}
    SKIP_CHECKSUMS = True  # manual download only


@pytest.mark.slow
class MspImprovAllTest(tfds.testing.DatasetBuilderTestCase):
    """Every clip with a consensus line (codes O and X included): 5 per session."""

    DATASET_CLASS = msp.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_all"]
    SPLITS = {f"session{s}": 5 for s in msp.SESSIONS}
    SKIP_CHECKSUMS = True


@pytest.fixture
def corpus_copy(tmp_path):
    shutil.copytree(DUMMY, tmp_path / "manual")
    return tmp_path / "manual"


def _refused(manual_dir, data_dir, error, match, config="egemaps_four_class"):
    """The build from ``manual_dir`` raises ``error`` matching ``match`` and writes nothing."""
    testing.assert_build_refused(msp.Builder, config, manual_dir, data_dir, error, match)


def _replace_line(path: pathlib.Path, startswith: str, new: str) -> int:
    """Replace the first line starting with ``startswith``; return its 1-based number."""
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(startswith))
    lines[index] = new
    path.write_text("\n".join(lines) + "\n")
    return index + 1


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    "stem, expected",
    [
        ("MSP-IMPROV-S01A-F01-P-FM01", (1, "anger", "F01", "female", 1, "improvised")),
        ("MSP-IMPROV-S02H-M03-P-MF03", (2, "happiness", "M03", "male", 3, "improvised")),
        ("MSP-IMPROV-S15A-M06-S-MM02", (15, "anger", "M06", "male", 6, "target_sentence")),
        ("MSP-IMPROV-S08S-F04-R-FF02", (8, "sadness", "F04", "female", 4, "read")),
        ("MSP-IMPROV-S20S-F06-T-FM03", (20, "sadness", "F06", "female", 6, "natural_interaction")),
    ],
)
def test_parse_clip_name(stem, expected):
    name = msp.parse_clip_name(stem)
    fields = (name.sentence, name.target, name.speaker, name.gender, name.session, name.recording_type)
    assert fields == expected


@pytest.mark.parametrize(
    "bad",
    [
        "UTD-IMPROV-S01A-F01-P-FM01",
        "MSP-IMPROV-S01X-F01-P-FM01",
        "MSP-IMPROV-S01A-F01-Q-FM01",
        "MSP-IMPROV-S01A-F1-P-FM01",
    ],
)
def test_parse_clip_name_rejects_other_names(bad):
    with pytest.raises(ValueError, match="not an MSP-IMPROV clip name"):
        msp.parse_clip_name(bad)


def test_label_ids_map_to_wav_stems():
    assert msp.clip_id_of_label("UTD-IMPROV-S02H-M03-P-MF03.avi") == "MSP-IMPROV-S02H-M03-P-MF03"
    with pytest.raises(ValueError, match="not an MSP-IMPROV clip id"):
        msp.clip_id_of_label("rater_x17")


def test_consensus_fields_of_known_lines():
    records = {r.clip_id: r for r in msp.parse_evaluation_file(DUMMY / "Evaluation.txt")}
    assert len(records) == 30  # rater lines are not consensus lines
    example = records["MSP-IMPROV-S02H-M03-P-MF03"]  # the CORPORA.md example line: A, V, D, N order
    assert (example.code, example.activation, example.valence, example.dominance, example.naturalness) == (
        "H",
        3.2,
        3.8,
        3.0,
        3.4,
    )
    assert example.raters == ("rater_x21", "rater_x22", "rater_x23")
    assert example.source.endswith("Evaluation.txt:51")
    other = records["MSP-IMPROV-S02H-F01-T-FM03"]
    assert other.code == "O" and other.valence == 3.5 and math.isnan(other.naturalness)
    unknown = records["MSP-IMPROV-S06N-M03-T-MF02"]
    assert unknown.code == "X" and all(
        math.isnan(v) for v in (unknown.activation, unknown.valence, unknown.dominance, unknown.naturalness)
    )
    duplicated = records["MSP-IMPROV-S01A-F01-S-FM01"]  # one rater line repeated verbatim
    assert (len(duplicated.raters), duplicated.duplicate_rater_lines) == (3, 1)
    conflicting = records["MSP-IMPROV-S02H-M01-P-MF02"]  # one rater again with other values
    assert (len(conflicting.raters), conflicting.duplicate_rater_lines) == (3, 1)
    assert sum(r.duplicate_rater_lines for r in records.values()) == 12


def test_consensus_line_spacing_and_missing_naturalness_are_accepted(tmp_path):
    path = tmp_path / "Evaluation.txt"
    path.write_text(
        "UTD-IMPROV-S01A-F01-P-FM01.avi;A;A:4.2;V:1.8;D:NaN;N:3.0;\n"
        "rater_a; Angry; ; A:4.0; V:2.0; D:3.0; N:3.0;\n"
        "UTD-IMPROV-S01A-F01-S-FM01.avi; N; A:3.0000; V:3.0000; D:3.0000;\n"
        "UTD-IMPROV-S01A-F01-P-FM01.avi; A; A:4.2; V:1.8; D:NaN ; N:3.0;\n"  # identical repeat
        "rater_b; Angry; ; A:4.0; V:2.0; D:3.0; N:3.0;\n"
    )
    first, second = msp.parse_evaluation_file(path)
    assert first.clip_id == "MSP-IMPROV-S01A-F01-P-FM01" and math.isnan(first.dominance)
    assert first.raters == ("rater_a", "rater_b")
    assert second.code == "N" and math.isnan(second.naturalness)


SCHEME_COUNTS = {
    "four_class": {"anger": 5, "happiness": 6, "sadness": 6, "neutral": 8},
    "all": {"anger": 5, "happiness": 6, "sadness": 6, "neutral": 8, "other": 2, "no_agreement": 3},
}


@pytest.mark.parametrize("scheme", SCHEME_COUNTS)
def test_class_counts_per_scheme(scheme):
    assert msp.scheme_counts(msp.scan_corpus(DUMMY).labels, scheme) == SCHEME_COUNTS[scheme]


def test_session_speaker_and_type_counts():
    scan = msp.scan_corpus(DUMMY)
    names = [msp.parse_clip_name(r.clip_id) for r in scan.labels if msp.scheme_label(r.code, "four_class")]
    assert collections.Counter(n.session for n in names) == {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 5}
    assert collections.Counter(n.speaker for n in names) == {
        "F01": 2,
        "M01": 2,
        "F02": 3,
        "M02": 1,
        "F03": 2,
        "M03": 2,
        "F04": 3,
        "M04": 1,
        "F05": 2,
        "M05": 2,
        "F06": 3,
        "M06": 2,
    }
    every = [msp.parse_clip_name(r.clip_id) for r in scan.labels]
    assert collections.Counter(n.recording_type for n in every) == {
        "improvised": 9,
        "target_sentence": 9,
        "read": 6,
        "natural_interaction": 6,
    }
    assert collections.Counter(n.target for n in every) == {"anger": 8, "happiness": 7, "sadness": 8, "neutral": 7}


def test_scan_joins_utd_labels_to_msp_wavs_and_ignores_avi():
    scan = msp.scan_corpus(DUMMY)
    assert len(scan.wavs) == 30 and scan.unlabelled_wavs == [] and scan.missing_wavs == []
    assert all(path.suffix == ".wav" for path in scan.wavs.values())
    assert scan.root == DUMMY and msp.audio_root(scan.root) == DUMMY / "Audio"


def test_44k_file_is_resampled_to_16k():
    assert soundfile.info(str(HIGH_RATE)).samplerate == 44100
    audio = features.read_audio(HIGH_RATE)
    assert audio.dtype == np.float32 and len(audio) == 6400  # 0.4 s at 16 kHz


def test_configs_are_the_full_product_with_is10_four_class_first():
    names = [c.name for c in msp.Builder.BUILDER_CONFIGS]
    assert names[0] == "is10_four_class" and len(names) == 12 == len(set(names))


# ------------------------------------------------------------------ layout and errors


def test_layout_without_audio_folder_and_evalution_spelling(tmp_path):
    manual = tmp_path / "corpus"
    shutil.copytree(DUMMY / "Audio", manual / "MSP-IMPROV")  # sessionN/ directly under the root
    shutil.copy(DUMMY / "Evaluation.txt", manual / "MSP-IMPROV" / "Evalution.txt")
    scan = msp.scan_corpus(manual)
    assert scan.root == manual / "MSP-IMPROV" and len(scan.labels) == len(scan.wavs) == 30


def test_manual_dir_without_the_corpus_names_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match="MSP-IMPROV not found in .*Evaluation.txt.*Expected layout"):
        msp.scan_corpus(tmp_path)


def test_malformed_consensus_line_names_file_and_line(corpus_copy, tmp_path):
    number = _replace_line(
        corpus_copy / "Evaluation.txt",
        "UTD-IMPROV-S04N-F02-R-FF01",
        "UTD-IMPROV-S04N-F02-R-FF01.avi; N; A:2.6000; V:3.0000 ; N:3.0000;",
    )
    message = (
        rf"Evaluation.txt:{number}: malformed consensus line .*expected "
        r"UTD-IMPROV-<clip>.avi; <A\|H\|S\|N\|O\|X>; A:<x>.*Fix the line"
    )
    _refused(corpus_copy, tmp_path / "data", ValueError, message)


@pytest.mark.parametrize(
    "start, new, message",
    [
        (
            "UTD-IMPROV-S04N-F02-R-FF01",
            "UTD-IMPROV-S04N-F02-R-FF01.avi; Q; A:1; V:1; D:1 ; N:1;",
            "unknown consensus code 'Q'",
        ),
        (
            "UTD-IMPROV-S04N-F02-R-FF01",
            "UTD-IMPROV-S04N-F02-R-FF01.avi; N; A:2.6; V:3.0; D:3.0 ; N:3.0;\n"
            "UTD-IMPROV-S04N-F02-R-FF01.avi; S; A:2.6; V:3.0; D:3.0 ; N:3.0;",
            "second consensus line of MSP-IMPROV-S04N-F02-R-FF01 contradicts",
        ),
        ("rater_x07", "rater x07 without separators", "unexpected line 'rater x07 without separators'"),
    ],
)
def test_label_line_errors_name_the_line(corpus_copy, start, new, message):
    _replace_line(corpus_copy / "Evaluation.txt", start, new)
    with pytest.raises(ValueError, match=rf"Evaluation.txt:\d+: {message}"):
        msp.scan_corpus(corpus_copy)


def test_rater_line_before_any_clip_is_an_error(corpus_copy):
    path = corpus_copy / "Evaluation.txt"
    path.write_text("rater_x01; Happy; ; A:3.0; V:4.0; D:3.0; N:4.0;\n" + path.read_text())
    with pytest.raises(ValueError, match="Evaluation.txt:1: rater line .* before the first consensus line"):
        msp.scan_corpus(corpus_copy)


def test_missing_session_folder_names_it(corpus_copy, tmp_path):
    shutil.rmtree(corpus_copy / "Audio" / "session4")
    message = "session 4: folder .*session4 is missing; copy session4"
    _refused(corpus_copy, tmp_path / "data", FileNotFoundError, message)


def test_labelled_clip_without_wav_is_an_error(corpus_copy, tmp_path):
    (corpus_copy / "Audio/session2/S04N/R/MSP-IMPROV-S04N-F02-R-FF01.wav").unlink()
    message = (
        r"(?s)1 labelled clip\(s\) have no WAV.*MSP-IMPROV-S04N-F02-R-FF01 \(labelled at .*"
        r"Evaluation.txt:\d+\).*Restore"
    )
    _refused(corpus_copy, tmp_path / "data", FileNotFoundError, message, config="egemaps_all")


def test_wav_in_another_sessions_folder_is_an_error(corpus_copy):
    source = corpus_copy / "Audio/session2/S04N/R/MSP-IMPROV-S04N-F02-R-FF01.wav"
    target = corpus_copy / "Audio/session3/S04N/R"
    target.mkdir(parents=True)
    source.rename(target / source.name)
    with pytest.raises(ValueError, match="speaker F02 is of session 2 but the file is in session3; move it"):
        msp.scan_corpus(corpus_copy)


# ------------------------------------------------------------------ one real build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """egemaps_four_class built from the fixture plus one WAV without a consensus line."""
    manual = tmp_path_factory.mktemp("msp") / "manual"
    shutil.copytree(DUMMY, manual)
    folder = manual / "Audio/session5/S10A/S"
    shutil.copy(folder / "MSP-IMPROV-S10A-M05-S-MF01.wav", folder / "MSP-IMPROV-S10A-M05-S-MF09.wav")
    return testing.build_logged(msp.Builder, "egemaps_four_class", manual, tmp_path_factory.mktemp("data"))


def test_unlabelled_wav_is_a_reported_skip(built):
    skipped = "Audio/session5/S10A/S/MSP-IMPROV-S10A-M05-S-MF09.wav"
    testing.assert_reported_skip(built, skipped, "without a consensus line")


def test_built_splits_and_classes(built):
    builder, rows, _ = built
    assert {s: builder.info.splits[f"session{s}"].num_examples for s in msp.SESSIONS} == {
        "1": 4,
        "2": 4,
        "3": 4,
        "4": 4,
        "5": 4,
        "6": 5,
    }
    names = builder.info.features["label"].names
    assert collections.Counter(names[r["label"]] for r in rows.values()) == SCHEME_COUNTS["four_class"]


def test_built_example_fields(built):
    builder, rows, _ = built
    features_info = builder.info.features
    row = rows["MSP-IMPROV-S20S-F06-T-FM03"]
    assert features_info["label"].names[row["label"]] == "sadness"
    assert (row["speaker"], row["gender"], row["session"], row["sentence"]) == (b"F06", 0, 6, 20)
    assert features_info["target_emotion"].names[row["target_emotion"]] == "sadness"
    assert features_info["recording_type"].names[row["recording_type"]] == "natural_interaction"
    assert (row["emotion_code"], row["num_raters"]) == (b"S", 3)
    assert (row["activation"], row["valence"]) == (2.0, np.float32(1.6)) and math.isnan(row["dominance"])
    assert (row["activation_class"], row["valence_class"], row["dominance_class"]) == (0, 0, -1)
    assert row["naturalness"] == 4.0
    resampled = rows["MSP-IMPROV-S15A-M06-S-MM02"]  # the 44.1 kHz file
    assert resampled["features"].shape == (88,) and np.all(np.isfinite(resampled["features"]))
    angry_read = rows["MSP-IMPROV-S05A-M03-R-MF01"]  # target anger, perceived sad
    assert features_info["label"].names[angry_read["label"]] == "sadness"
    assert features_info["target_emotion"].names[angry_read["target_emotion"]] == "anger"


if __name__ == "__main__":
    tfds.testing.test_main()
