"""The Beam path of :class:`tfds_builders.feature_corpus.FeatureCorpusBuilder`: one split's examples as a
``beam.PTransform`` whose workers run the openSMILE extraction (through the feature cache) themselves.

The base builder lists and checks the utterances in the launching process exactly as for a local build, then
hands each split's ``(key, path, fields)`` rows to :func:`split_examples`; TFDS applies the transform to its
pipeline, shuffles and writes the same tfrecords as the local path. Imported only for a Beam build (it imports
``apache_beam``, the optional ``[beam]`` extra).

Known TFDS / Beam pitfalls, and what this module does about each:

- Transforms are pickled and run in other processes or machines. The transform holds plain data only (keys,
  path strings, label fields, the feature set's name, the cache folder) and module-level functions, never the
  builder: state set on the builder while the pipeline runs is not seen by the workers, and a pickled builder
  would drag its ``DatasetInfo`` along.
- openSMILE must not share a process with TensorFlow (the heap corrupts, see :func:`serzoo.features.extract_many`),
  and a Beam worker imports TFDS, hence TensorFlow, to encode examples (with ``in_memory`` or
  ``multi_threading`` it *is* the launching process). Every worker process therefore extracts in one spawned
  child (:func:`serzoo.processes.process_pool`), created on its first file, shared by the stages that process
  runs, and ended with it (or by :func:`close_pool` when the launching process's build ends).
- A runner reports a worker's exception as text (the portable runners raise a ``RuntimeError`` holding the
  worker's traceback): :func:`original_error` turns it back into the :class:`serzoo.audio.AudioFileError` that
  names the bad file, as the local path raises it. Features extracted before the failure are in the cache.
- The DirectRunner keeps every PCollection in memory and does not free it between stages (tensorflow/datasets
  #5045, #2146; ``multi_processing`` does not help, #3321): corpora of 100k+ utterances belong on Flink, Spark
  or Dataflow (``docs/scaling.md``).
- On a cluster the feature cache is each worker's own folder (``SERZOO_CACHE_DIR`` on that machine): it serves
  the reruns of that worker only.
"""

from __future__ import annotations

import atexit
import os
import pathlib
import re

import apache_beam as beam
import numpy as np

from serzoo import features
from serzoo.audio import AudioFileError
from serzoo.processes import process_pool

_POOL = None
_POOL_PID = None


def _pool():
    """This process's openSMILE child (spawned on first use; a forked copy of a parent's pool is not reused)."""
    global _POOL, _POOL_PID
    if _POOL is None or _POOL_PID != os.getpid():
        _POOL, _POOL_PID = process_pool(1), os.getpid()
    return _POOL


def close_pool() -> None:
    """End this process's openSMILE child, if any (also registered with :mod:`atexit`)."""
    global _POOL
    if _POOL is not None and _POOL_PID == os.getpid():
        _POOL.shutdown(cancel_futures=True)
    _POOL = None


atexit.register(close_pool)


def file_features(path: str, feature_set: str, cache_dir: str | None, channel: int | None = None) -> np.ndarray:
    """One file's features (of ``channel``, see :func:`serzoo.audio.read_audio`): from the cache of
    :func:`serzoo.features.extract_many` when present, else extracted in this process's openSMILE child and stored
    there."""
    fs = features.get_feature_set(feature_set)
    cache = features._Cache(cache_dir, [pathlib.Path(path)], fs, channel)
    cached = cache.lookup()
    if 0 in cached:
        return cached[0]
    with features._broken_pool_explained():
        values = _pool().submit(features._worker_extract, path, fs.name, channel).result()
    cache.store(0, values)
    return values


def _with_features(row, feature_set: str, cache_dir: str | None, channel: int | None):
    key, path, fields = row
    return key, {**fields, "features": file_features(path, feature_set, cache_dir, channel)}


def split_examples(rows, feature_set: str, cache_dir, channel: int | None = None) -> beam.PTransform:
    """The ``(key, example)`` pairs of one split: ``rows`` are ``(key, audio path, example without "features")``;
    ``channel``: the builder's ``AUDIO_CHANNEL``."""
    rows = [(key, str(path), dict(fields)) for key, path, fields in rows]
    cache = None if cache_dir is None else str(cache_dir)
    return beam.Create(rows) | beam.Map(_with_features, feature_set, cache, channel)


#: how ``AudioFileError: <message>`` appears in a runner's text of a worker's traceback
_AUDIO_ERROR = re.compile(r"(?:^|\s)(?:[\w.]+\.)?AudioFileError: (.+?)(?: \[while running [^\]]*\])*$", re.M)


def original_error(err: BaseException) -> BaseException:
    """The :class:`~serzoo.audio.AudioFileError` a worker raised, recovered from a runner's error ``err``
    (the same message as the local path's), or ``err`` itself."""
    if isinstance(err, AudioFileError):
        return err
    match = _AUDIO_ERROR.search(str(err))
    return AudioFileError(match[1]) if match else err
