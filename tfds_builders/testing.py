"""Helpers of the builders' tests (each ``<corpus>_dataset_builder_test.py`` sits beside its builder).

Build a corpus copy through TFDS, check that a refused build left no dataset file behind, and
build while capturing the warnings the builder logs (skipped WAVs). No pytest dependency.
"""

from __future__ import annotations

import logging
import pathlib
import re


def build(builder_class, config, manual_dir, data_dir):
    """``builder_class(config=config)`` prepared from ``manual_dir`` into ``data_dir``."""
    import tensorflow_datasets as tfds

    builder = builder_class(config=config, data_dir=data_dir)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    return builder


def assert_nothing_written(data_dir: pathlib.Path, name: str, config: str) -> None:
    """No dataset file (complete or ``incomplete.*``) of ``name/config`` exists; TFDS's ``.config`` is not data."""
    config_dir = pathlib.Path(data_dir) / name / config
    written = [p for p in config_dir.rglob("*") if p.is_file()] if config_dir.exists() else []
    assert written == [], f"a refused build left {written}"


def assert_build_refused(builder_class, config, manual_dir, data_dir, error: type[Exception], match: str) -> None:
    """Building raises ``error`` with a message matching ``match`` (``re.search``) and writes no dataset file."""
    try:
        build(builder_class, config, manual_dir, data_dir)
    except error as err:
        assert re.search(match, str(err)), f"{err!r} does not match {match!r}"
    else:
        raise AssertionError(f"building {builder_class.name}/{config} did not raise {error.__name__}")
    assert_nothing_written(data_dir, builder_class.name, config)


def assert_reported_skip(built, path: str, reason: str) -> None:
    """``built`` (from :func:`build_logged`) skipped exactly the WAV ``path`` (relative to the corpus
    root): listed in ``info.metadata``, named in a warning ``skipping 1 WAV file(s) <reason>``, no example."""
    builder, rows, messages = built
    assert builder.info.metadata["skipped_wavs"] == [path]
    assert builder.info.metadata["num_skipped_wavs"] == 1
    assert any(f"skipping 1 WAV file(s) {reason}" in m and path in m for m in messages), messages
    assert pathlib.PurePosixPath(path).stem not in rows


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_logged(builder_class, config, manual_dir, data_dir):
    """:func:`build`, then every example of every group split.

    Returns:
        ``(builder, rows, warnings)``: ``rows`` maps ``utterance_id`` to the numpy example;
        ``warnings`` are the messages the builder's module logger emitted during the build.
    """
    import tensorflow_datasets as tfds

    handler = _Records()
    logger = logging.getLogger(builder_class.__module__)
    logger.addHandler(handler)
    try:
        builder = build(builder_class, config, manual_dir, data_dir)
    finally:
        logger.removeHandler(handler)
    everything = builder.as_dataset(split="+".join(builder.group_splits()))
    rows = {r["utterance_id"].decode(): r for r in tfds.as_numpy(everything)}
    return builder, rows, handler.messages
