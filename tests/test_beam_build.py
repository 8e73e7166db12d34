"""Beam builds (the ``[beam]`` extra): the same examples as a local build, the feature cache, bad audio and options.

Skipped when ``apache_beam`` is not installed; CI installs the extra in a separate step and runs this file
(with ``--runslow``). The option checks that need no Beam are in ``tests/test_beam_options.py``.
"""

import pathlib
import shutil

import numpy as np
import pytest

pytest.importorskip("apache_beam", reason='the [beam] extra is not installed (pip install -e ".[beam]")')

from serzoo import beam_options, features  # noqa: E402
from serzoo.audio import AudioFileError  # noqa: E402
from serzoo.tfds_builders import beam_examples, testing  # noqa: E402
from serzoo.tfds_builders.emodb import emodb_dataset_builder as emodb  # noqa: E402
from serzoo.tfds_builders.iemocap import iemocap_dataset_builder as iemocap  # noqa: E402

EMODB = pathlib.Path(emodb.__file__).parent / "dummy_data"
IEMOCAP = pathlib.Path(iemocap.__file__).parent / "dummy_data"
TWO_WORKERS = "direct_running_mode=multi_processing,direct_num_workers=2"


def _rows(builder_class, config, manual_dir, data_dir, cache_dir, monkeypatch, beam=None):
    """Every example of a build from ``manual_dir`` with its own feature cache (``beam``: pipeline options)."""
    monkeypatch.setenv(features.CACHE_ENV, str(cache_dir))
    with monkeypatch.context() as patch, beam_options.requested(beam):
        if beam:
            _no_local_extraction(patch)
        _, rows, _ = testing.build_logged(builder_class, config, manual_dir, data_dir)
    return rows


def _no_local_extraction(patch):
    """The local path's extraction fails: in a Beam build, the workers extract."""

    def local_extraction(*args, **kwargs):
        raise AssertionError("a Beam build ran the local extraction")

    patch.setattr(features, "extract_many", local_extraction)


def _assert_same_examples(local, beam):
    assert sorted(local) == sorted(beam)
    for key, example in local.items():
        assert sorted(example) == sorted(beam[key]), key
        for field, value in example.items():
            np.testing.assert_array_equal(beam[key][field], value, err_msg=f"{key}: {field}")


BUILDS = {  # corpus: (builder, config, manual dir, Beam options)
    # two worker processes: the transforms are pickled, openSMILE runs in each worker's child
    "emodb": (emodb.Builder, "egemaps", EMODB, TWO_WORKERS),
    # the rated session base: extra fields (ratings, their bins, session) through Beam's coders; in one process
    "iemocap": (iemocap.Builder, "egemaps_four_class", IEMOCAP, "direct_num_workers=1"),
}


@pytest.mark.slow
@pytest.mark.parametrize("corpus", BUILDS)
def test_beam_and_local_builds_write_identical_examples(tmp_path, monkeypatch, corpus):
    builder_class, config, manual_dir, options = BUILDS[corpus]
    local = _rows(builder_class, config, manual_dir, tmp_path / "local", tmp_path / "cache_local", monkeypatch)
    beam = _rows(builder_class, config, manual_dir, tmp_path / "beam", tmp_path / "cache_beam", monkeypatch, options)
    _assert_same_examples(local, beam)
    # the Beam workers extracted every file themselves and filled their (empty) cache
    cached = list((tmp_path / "cache_beam" / "features" / "egemaps").glob("*.npy"))
    assert len(cached) == len(beam) > 0


def test_beam_worker_reads_and_fills_the_feature_cache(tmp_path):
    wav = EMODB / "wav" / "03a01Wa.wav"
    fs = features.get_feature_set("egemaps")
    cache_file = features._cache_file(tmp_path, wav, fs, None)
    try:
        values = beam_examples.file_features(str(wav), "egemaps", str(tmp_path))  # extracted in the child
        assert cache_file.is_file()
        np.testing.assert_array_equal(np.load(cache_file), values)
        np.save(cache_file, np.full(fs.dim, 7.0, np.float32))  # a cached value wins over extraction
        np.testing.assert_array_equal(beam_examples.file_features(str(wav), "egemaps", str(tmp_path)), 7.0)
    finally:
        beam_examples.close_pool()


@pytest.mark.slow
def test_bad_audio_in_a_beam_build_is_the_local_error_and_writes_nothing(tmp_path, monkeypatch):
    shutil.copytree(EMODB / "wav", tmp_path / "emodb" / "wav")
    (tmp_path / "emodb" / "wav" / "09a05La.wav").write_bytes(b"RIFF....WAVEjunk")
    monkeypatch.setenv(features.CACHE_ENV, str(tmp_path / "cache"))
    _no_local_extraction(monkeypatch)
    with beam_options.requested("direct_num_workers=1"), pytest.raises(AudioFileError) as caught:
        testing.build(emodb.Builder, "egemaps", tmp_path / "emodb", tmp_path / "data")
    assert str(caught.value).startswith(str(tmp_path / "emodb" / "wav" / "09a05La.wav") + ": cannot read audio")
    testing.assert_nothing_written(tmp_path / "data", "emodb", "egemaps")


def test_runner_error_text_gives_back_the_audio_error():
    text = (
        "Traceback (most recent call last):\n  File ...\nserzoo.audio.AudioFileError: /c/wav/x.wav: cannot read "
        "audio (Format not recognised); replace it [while running 'speaker09/Map(_with_features)']"
    )
    recovered = beam_examples.original_error(RuntimeError(text))
    assert type(recovered) is AudioFileError
    assert str(recovered) == "/c/wav/x.wav: cannot read audio (Format not recognised); replace it"
    other = RuntimeError("something else")
    assert beam_examples.original_error(other) is other


@pytest.mark.parametrize(
    "spec, match",
    [
        ("direct_num_worker=2", "does not know the option.*direct_num_worker"),
        ("direct_running_mode=multi_processes", "refuses a value"),
        ("direct_num_workers=2,", "comma-separated name=value"),
    ],
)
def test_options_beam_would_drop_or_refuse_are_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        beam_options.parse(spec)


def test_known_options_parse():
    options = beam_options.parse(TWO_WORKERS)
    assert options.get_all_options()["direct_num_workers"] == 2
