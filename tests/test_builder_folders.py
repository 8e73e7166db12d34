"""Each builder folder is complete as in TFDS: builder, its test beside it, dummy_data, README, TAGS."""

import fnmatch
import pathlib

import pytest

from serzoo.builders import DATASETS

REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", DATASETS)
def test_builder_folder_is_complete(name):
    folder = REPO / "tfds_builders" / name
    expected = [
        "__init__.py",
        f"{name}_dataset_builder.py",
        f"{name}_dataset_builder_test.py",
        "dummy_data",
        "README.md",
        "TAGS.txt",
    ]
    assert [f for f in expected if not (folder / f).exists()] == []
    tags = [line.split("#")[0].strip() for line in (folder / "TAGS.txt").read_text().splitlines()]
    assert "content.data-type.audio" in tags  # validity against TFDS's list: the builder test's test_tags_are_valid


def test_package_data_ships_every_metadata_file():
    from tests.test_packaging import _distribution

    patterns = _distribution().package_data["serzoo.tfds_builders"]
    files = [
        p.relative_to(REPO / "tfds_builders").as_posix()
        for p in (REPO / "tfds_builders").glob("*/*")
        if p.name in ("README.md", "TAGS.txt", "CITATIONS.bib", "checksums.tsv")
    ]
    assert files and [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []
