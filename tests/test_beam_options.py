"""Beam options that need no Beam: a missing extra is an error, never a silent local build."""

import sys

import pytest
import tensorflow_datasets as tfds

from serzoo import beam_options
from serzoo.tfds_builders.feature_corpus import FeatureCorpusBuilder


@pytest.fixture
def no_beam(monkeypatch):
    """``import apache_beam`` fails, as without the extra (``None`` in ``sys.modules`` stops an import)."""
    monkeypatch.setitem(sys.modules, "apache_beam", None)


def test_beam_request_without_the_extra_names_the_fix(no_beam):
    with pytest.raises(ImportError, match=r"pip install -e \"\.\[beam\]\""):
        beam_options.parse("direct_num_workers=2")


@pytest.mark.parametrize(
    "argv",
    [
        ["tfds", "build", "emodb", "--beam_pipeline_options=direct_num_workers=2"],
        ["tfds", "build", "emodb", "--beam_pipeline_options", "direct_num_workers=2"],
    ],
)
def test_options_tfds_build_dropped_stop_the_build(argv, monkeypatch, no_beam):
    monkeypatch.setattr("sys.argv", argv)
    assert beam_options.dropped_by_tfds_cli() == "direct_num_workers=2"
    with pytest.raises(ImportError, match="tfds dropped it.*pip install"):
        FeatureCorpusBuilder._beam_requested(tfds.download.DownloadConfig())


def test_no_beam_option_is_a_local_build(monkeypatch):
    monkeypatch.setattr("sys.argv", ["serzoo", "build", "--beam_pipeline_options="])
    assert beam_options.dropped_by_tfds_cli() is None
    assert FeatureCorpusBuilder._beam_requested(tfds.download.DownloadConfig()) is False
