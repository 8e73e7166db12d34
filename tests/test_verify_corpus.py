"""verify_corpus on the IEMOCAP / MSP-IMPROV fixtures and on EmoDB (dummy and real)."""

import pathlib
import shutil

import pytest

from serzoo.tfds_builders.emodb import emodb_dataset_builder
from serzoo.tfds_builders.emovo import emovo_dataset_builder
from serzoo.tfds_builders.iemocap import iemocap_dataset_builder
from serzoo.tfds_builders.msp_improv import msp_improv_dataset_builder
from serzoo.tfds_builders.ravdess import ravdess_dataset_builder
from serzoo.verify_corpus import CORPORA, verify_corpus

IEMOCAP = pathlib.Path(iemocap_dataset_builder.__file__).parent / "dummy_data"
MSP = pathlib.Path(msp_improv_dataset_builder.__file__).parent / "dummy_data"
EMODB = pathlib.Path(emodb_dataset_builder.__file__).parent / "dummy_data"
RAVDESS = pathlib.Path(ravdess_dataset_builder.__file__).parent / "dummy_data"
EMOVO = pathlib.Path(emovo_dataset_builder.__file__).parent / "dummy_data"


def test_unknown_corpus_is_refused():
    assert CORPORA == ("iemocap", "msp_improv", "emodb", "ravdess", "emovo")
    with pytest.raises(ValueError, match="unknown corpus 'cremad'; verify_corpus knows iemocap, msp_improv"):
        verify_corpus("cremad", IEMOCAP)


def test_iemocap_fixture_counts_beside_published(capsys):
    report = verify_corpus("iemocap", IEMOCAP)
    assert report.layout_ok and not report.ok and report.extra == []
    assert report.root == str(IEMOCAP / "IEMOCAP_full_release")
    expected = {
        "utterances (all codes)": (50, 10039),
        "four_class (ang/hap/sad/neu)": (27, 4490),
        "four_class_exc (exc merged into hap)": (32, 5531),
        "code xxx": (8, 2507),
        "code oth": (1, 3),
        "session3": (10, None),
        "speaker Ses02F": (6, None),
        "speaker Ses02M": (4, None),
        "improvised": (25, None),
    }
    found = {c.what: (c.found, c.published) for c in report.counts}
    assert {k: found[k] for k in expected} == expected
    assert len(report.mismatches) == 14
    assert "sample rates: 16000 Hz x 50" in report.notes
    printed = capsys.readouterr().out
    assert "four_class (ang/hap/sad/neu)" in printed and "4490  DIFFERS" in printed
    assert "Result: layout OK; 14 count(s) differ" in printed


def test_iemocap_problems_are_named_not_raised(tmp_path):
    release = tmp_path / "IEMOCAP_full_release"
    shutil.copytree(IEMOCAP / "IEMOCAP_full_release", release)
    shutil.rmtree(release / "Session5")
    wav_dir = release / "Session2/sentences/wav/Ses02M_impro03"
    shutil.copy(wav_dir / "Ses02M_impro03_F000.wav", wav_dir / "Ses02M_impro03_F099.wav")
    (release / "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M001.wav").unlink()
    label = release / "Session4/dialog/EmoEvaluation/Ses04M_impro06.txt"
    label.write_text(label.read_text().replace("\tsad\t", "\tsadness\t", 1))
    report = verify_corpus("iemocap", release, echo=False)  # the manual dir is the release itself
    assert not report.layout_ok
    assert any("Session5 is missing" in m for m in report.missing)
    assert any(m.startswith("speaker Ses05F: no labelled utterance") for m in report.missing)
    assert any(m.startswith("Ses01F_impro01_M001.wav (labelled at ") for m in report.missing)
    unlabelled = wav_dir / "Ses02M_impro03_F099.wav"
    assert report.extra == [f"{unlabelled}: WAV without a label (the builder skips it)"]
    assert len(report.errors) == 1
    assert "Ses04M_impro06.txt:3: unknown emotion code 'sadness'" in report.errors[0]
    assert report.count("utterances (all codes)") == 30  # sessions 1-3 only


def test_iemocap_without_corpus(tmp_path):
    report = verify_corpus("iemocap", tmp_path, echo=False)
    assert not report.layout_ok and "IEMOCAP not found" in report.missing[0] and report.counts == []


def test_msp_improv_fixture_counts_beside_published():
    report = verify_corpus("msp_improv", MSP, echo=False)
    assert report.layout_ok and report.extra == []
    found = {c.what: (c.found, c.published) for c in report.counts}
    assert found["four_class (A/H/S/N)"] == (25, 7798)
    assert found["class happiness"] == (6, 2644) and found["class no_agreement"] == (3, None)
    assert found["session6"] == (5, None) and found["speaker M06"] == (2, None)
    assert found["recording type natural_interaction"] == (6, None)
    assert (
        "sample rates: 16000 Hz x 29, 44100 Hz x 1 (files not at 16 kHz are resampled to 16 kHz by the builder)"
    ) in report.notes
    assert "12 duplicate (clip, rater) line(s), counted once" in report.notes


def test_msp_improv_problems_are_named(tmp_path):
    shutil.copytree(MSP, tmp_path / "MSP-IMPROV")
    root = tmp_path / "MSP-IMPROV"
    (root / "Evaluation.txt").rename(root / "Evalution.txt")
    shutil.rmtree(root / "Audio" / "session6")
    folder = root / "Audio/session1/S01A/P"
    shutil.copy(folder / "MSP-IMPROV-S01A-F01-P-FM01.wav", folder / "MSP-IMPROV-S01A-F01-P-FM07.wav")
    report = verify_corpus("msp_improv", tmp_path, echo=False)  # MSP-IMPROV/ inside the manual dir
    assert report.root == str(root)
    assert "label file spelled Evalution.txt (accepted)" in report.notes
    assert any("session6 is missing" in m for m in report.missing)
    assert sum("(labelled at " in m for m in report.missing) == 5  # the clips of session 6
    assert report.extra == [
        f"{folder / 'MSP-IMPROV-S01A-F01-P-FM07.wav'}: WAV without a consensus line (the builder skips it)"
    ]


def test_emodb_dummy_and_bad_names(tmp_path):
    shutil.copytree(EMODB / "wav", tmp_path / "wav")
    for path in (tmp_path / "wav").glob("16*.wav"):
        path.unlink()
    shutil.copy(tmp_path / "wav" / "03a01Wa.wav", tmp_path / "wav" / "03a01Xa.wav")
    report = verify_corpus("emodb", tmp_path, echo=False)
    assert report.count("utterances") == 18 and report.count("class anger") == 3
    assert report.missing == ["speaker 16: no file (split speaker16 would be empty)"]
    assert len(report.extra) == 1 and "03a01Xa.wav: unknown emotion letter 'X'" in report.extra[0]


def test_real_emodb_matches_the_published_counts(real_emodb_dir):
    report = verify_corpus("emodb", real_emodb_dir, echo=False)
    assert report.ok, report.format()
    assert report.count("utterances") == 535 and report.count("speaker 14") == 69
    assert report.count("class boredom") == 81


def test_emodb_bad_audio_duplicates_and_upper_case_are_reported(tmp_path):
    import numpy as np
    import soundfile

    shutil.copytree(EMODB / "wav", tmp_path / "wav")
    wav = tmp_path / "wav"
    soundfile.write(wav / "09a05La.wav", np.zeros(8000, np.float32), 16000, subtype="PCM_16")
    data = (wav / "10a01Wa.wav").read_bytes()
    (wav / "10a01Wa.wav").write_bytes(data[: len(data) // 2])
    shutil.copy(wav / "03a01Wa.wav", wav / "16a02Wa.wav")
    (wav / "08a04Fa.wav").rename(wav / "08a04Fa.WAV")
    report = verify_corpus("emodb", tmp_path, echo=False)
    assert not report.layout_ok and report.count("utterances") == 21
    errors = "\n".join(report.errors)
    assert "09a05La.wav: the recording is digital silence" in errors
    assert "10a01Wa.wav: the WAV header declares" in errors and "truncated" in errors
    assert "03a01Wa.wav = " in errors and "16a02Wa.wav" in errors and "The builder refuses them" in errors
    assert len(report.errors) == 3
    assert "1 file(s) with an upper-case suffix (read like .wav): 08a04Fa.WAV" in report.notes


def test_emodb_with_wav_and_wav_corpus_is_an_error(tmp_path):
    shutil.copytree(EMODB / "wav", tmp_path / "wav")
    shutil.copytree(EMODB / "wav", tmp_path / "wav_corpus")
    report = verify_corpus("emodb", tmp_path, echo=False)
    assert not report.layout_ok
    assert report.errors == [
        f"{tmp_path}: both wav/ (20 files) and wav_corpus/ (20 files) hold WAV files; serzoo "
        "does not guess which copy of EmoDB to use: remove or rename one of the folders"
    ]


def test_ravdess_dummy_counts_the_released_duplicate_as_a_note_and_names_problems(tmp_path):
    root = tmp_path / "ravdess"
    shutil.copytree(RAVDESS, root)
    shutil.rmtree(root / "Actor_05")
    song = root / "Actor_03" / "03-02-05-01-01-01-03.wav"
    shutil.copy(next((root / "Actor_03").glob("*.wav")), song)
    report = verify_corpus("ravdess", root, echo=False)
    assert not report.layout_ok and report.extra == []
    assert report.missing == [f"{root / 'Actor_05'} does not exist (the split of speaker 05 would be empty)"]
    (error,) = report.errors
    assert error.startswith(f"{song}: a RAVDESS audio-only song file") and error.endswith("(the builder refuses it)")
    found = {c.what: (c.found, c.published) for c in report.counts}
    assert found["utterances"] == (26, 1440) and found["actor 07"] == (2, 60) and found["actor 05"] == (0, 60)
    assert found["class happiness"] == (5, 192) and found["intensity strong"] == (13, 672)
    pair = " = ".join(
        str(root / "Actor_07" / f"{stem}.wav") for stem in sorted(ravdess_dataset_builder.KNOWN_DUPLICATE)
    )
    assert any(
        n.startswith(f"identical audio, as in the official release: {pair}; the builder keeps both")
        for n in report.notes
    )
    assert "sample rates: 48000 Hz x 26 (files not at 16 kHz are resampled to 16 kHz by the builder)" in report.notes
    assert "channels: 1 x 24, 2 x 2 (the builder mixes them down to mono: the mean of the channels)" in report.notes


def test_emovo_dummy_counts_channel_note_and_duplicate_error(tmp_path):
    shutil.copytree(EMOVO, tmp_path / "EMOVO")  # the release's own folder inside the manual dir
    shutil.copy(tmp_path / "EMOVO" / "f1" / "gio-f1-b3.wav", tmp_path / "EMOVO" / "f1" / "gio-f1-b2.wav")
    report = verify_corpus("emovo", tmp_path, echo=False)
    assert report.root == str(tmp_path / "EMOVO") and report.missing == []
    found = {c.what: (c.found, c.published) for c in report.counts}
    assert found["utterances"] == (13, 588) and found["actor f1"] == (3, 98) and found["sentence b2"] == (1, 42)
    assert found["class surprise"] == (1, 84)
    (error,) = report.errors
    assert "gio-f1-b2.wav = " in error and "gio-f1-b3.wav" in error and "The builder refuses them" in error
    assert "channels: 1 x 1, 2 x 12 (the builder reads channel 0 of each file alone, counted from 0)" in report.notes
