"""EMOVO builder tests on the synthetic dummy data (12 stand-in files, 48 kHz, stereo from two "microphones").

The TFDS builder test, the parsed fields, the first channel read (not the comb-filtered mean), then bad input:
each a clear error naming the file, nothing half-written left behind.
"""

import pathlib
import shutil

import numpy as np
import pytest
import soundfile
import tensorflow_datasets as tfds

from serzoo import features
from serzoo.features import AudioFileError
from serzoo.tfds_builders import testing
from serzoo.tfds_builders.emovo import emovo_dataset_builder as emovo

DUMMY = pathlib.Path(emovo.__file__).parent / "dummy_data"


class EmovoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emovo.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps", "compare_lld"]
    SPLITS = {f"actor{a}": 2 for a in emovo.ACTORS}
    SKIP_CHECKSUMS = True  # manual download only


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the dummy corpus (f1 ... m3)."""
    shutil.copytree(DUMMY, tmp_path / "emovo")
    return tmp_path / "emovo"


def _refused(manual_dir, data_dir, error, match):
    testing.assert_build_refused(emovo.Builder, "egemaps", manual_dir, data_dir, error, match)


def test_parse_file_name_reads_every_field():
    utt = emovo.parse_file_name(pathlib.Path("m2/gio-m2-n4.wav"))
    assert (utt.label, utt.speaker, utt.gender, utt.group) == ("happiness", "m2", "male", "m2")
    assert utt.text == "Insalata pastasciutta coscia d'agnello limoncello." and utt.extra == {"sentence": "n4"}
    assert emovo.parse_file_name(pathlib.Path("tri-f3-d1.wav")).gender == "female"
    assert len(emovo.SENTENCES) == 14


@pytest.mark.slow
def test_build_reads_the_first_channel_not_the_mean(tmp_path):
    builder, rows, warnings = testing.build_logged(emovo.Builder, "egemaps", DUMMY, tmp_path / "data")
    assert len(rows) == 12 and warnings == []
    row = rows["gio-f1-b3"]
    names = builder.info.features
    assert names["label"].int2str(row["label"]) == "happiness" and names["gender"].int2str(row["gender"]) == "female"
    assert (row["speaker"], row["sentence"], row["text"]) == (b"f1", b"b3", b"La cascata fa molto rumore.")
    both, rate = soundfile.read(DUMMY / "f1" / "gio-f1-b3.wav", dtype="int16")
    assert both.shape[1] == 2 and rate == 48000
    soundfile.write(tmp_path / "first.wav", both[:, 0], rate)  # the same samples, mono
    soundfile.write(tmp_path / "mean.wav", both.mean(axis=1).astype(np.int16), rate)
    first, mixed = features.extract_many(
        [tmp_path / "first.wav", tmp_path / "mean.wav"], "egemaps", progress=False
    ).features
    np.testing.assert_array_equal(row["features"], first)
    assert not np.allclose(first, mixed, rtol=1e-3)  # the mean of two mics 0.5 ms apart is a comb filter
    assert soundfile.info(DUMMY / "f1" / "rab-f1-b1.wav").channels == 1  # the release's one mono file reads too


BAD_NAMES = {  # file name: message
    "xyz-f1-b1.wav": "unknown emotion 'xyz'; EMOVO emotions are dis, gio",
    "dis-f4-b1.wav": "unknown actor 'f4'",
    "dis-f1-b4.wav": "unknown sentence 'b4'",
    "dis_f1_b1.wav": "not an EMOVO file name",
}


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_file_name_is_refused_naming_it(name):
    with pytest.raises(ValueError, match=f"{name}: {BAD_NAMES[name]}"):
        emovo.parse_file_name(pathlib.Path("f1") / name)


def test_bad_name_or_another_actors_file_stops_the_build(corpus_copy, tmp_path):
    shutil.copy(corpus_copy / "f2" / "neu-f2-l1.wav", corpus_copy / "f2" / "neu-f3-l1.wav")
    shutil.copy(corpus_copy / "f2" / "neu-f2-l1.wav", corpus_copy / "f2" / "neu-f2-x1.wav")
    scan = emovo.scan_corpus(corpus_copy)
    assert len(scan.utterances) == 12 and len(scan.problems) == 2
    assert "neu-f2-x1.wav: unknown sentence 'x1'" in scan.problems[0]
    assert "neu-f3-l1.wav: its name gives speaker f3, but it lies in f2/" in scan.problems[1]
    _refused(corpus_copy, tmp_path / "data", ValueError, "2 file\\(s\\) refused")


def test_missing_or_empty_actor_folder_is_named(corpus_copy, tmp_path):
    for path in (corpus_copy / "m3").iterdir():
        path.unlink()
    _refused(corpus_copy, tmp_path / "data", ValueError, "empty split\\(s\\) actorm3.*Expected layout")
    shutil.rmtree(corpus_copy / "m3")
    _refused(corpus_copy, tmp_path / "data", FileNotFoundError, "(?s)1 speaker folder\\(s\\) missing.*m3 does not")


def test_identical_audio_is_an_error(corpus_copy, tmp_path):
    shutil.copy(corpus_copy / "f1" / "gio-f1-b3.wav", corpus_copy / "f1" / "gio-f1-b2.wav")
    _refused(corpus_copy, tmp_path / "data", ValueError, "(?s)identical audio.*gio-f1-b2.wav = .*gio-f1-b3.wav")


def test_corrupt_wav_names_the_file(corpus_copy, tmp_path):
    (corpus_copy / "m1" / "tri-m1-n1.wav").write_bytes(b"RIFF....WAVEjunk")
    _refused(corpus_copy, tmp_path / "data", AudioFileError, "tri-m1-n1.wav: cannot read audio")


def test_release_folder_is_accepted_and_no_manual_dir_says_where_to_get_it(tmp_path):
    shutil.copytree(DUMMY, tmp_path / "manual" / emovo.RELEASE_FOLDER)
    assert len(emovo.scan_corpus(tmp_path / "manual").utterances) == 12
    with pytest.raises(FileNotFoundError, match="EMOVO not found in .*empty: no f1 ... m3 folder"):
        emovo.scan_corpus(tmp_path / "empty")
    builder = emovo.Builder(config="egemaps", data_dir=tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="(?s)never downloads EMOVO.*Fondazione Ugo Bordoni"):
        builder.download_and_prepare()


if __name__ == "__main__":
    tfds.testing.test_main()
