"""openSMILE feature-set registry and parallel, cached, error-reporting extraction.

Feature sets are the Interspeech challenge configurations shipped inside the ``opensmile``
package (IS09 emotion, IS10 paralinguistics, IS11 speaker state, IS13 ComParE), the eGeMAPS v02
functionals and the 65 ComParE low-level descriptors per 10 ms frame.

Example:
    >>> from serzoo import features
    >>> result = features.extract_many(paths, "is11")      # doctest: +SKIP
    >>> result.features.shape                              # doctest: +SKIP
    (535, 4368)

Reference:
    Eyben, Wöllmer, Schuller: "openSMILE: the Munich versatile and fast open-source audio feature
    extractor", ACM MM 2010. Schuller et al., Interspeech 2009-2013 challenge papers.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import logging
import os
import pathlib
import tempfile
import warnings
from collections.abc import Sequence

import numpy as np

from serzoo.audio import SAMPLE_RATE, AudioFileError, read_audio  # reading and its checks live in serzoo.audio
from serzoo.processes import process_pool

logger = logging.getLogger(__name__)
CACHE_ENV = "SERZOO_CACHE_DIR"


def cache_root() -> pathlib.Path:
    """serzoo's cache folder: ``$SERZOO_CACHE_DIR`` or ``~/.cache/serzoo``."""
    root = os.environ.get(CACHE_ENV)
    return pathlib.Path(root) if root else pathlib.Path.home() / ".cache" / "serzoo"


def default_cache_dir() -> pathlib.Path:
    """Where extracted features are cached, one ``.npy`` per file and feature set."""
    return cache_root() / "features"


@dataclasses.dataclass(frozen=True)
class FeatureSet:
    """One openSMILE configuration.

    Args:
        name: registry name (``is11``).
        dim: feature dimension (per frame for frame-level sets).
        opensmile_set: member name of ``opensmile.FeatureSet``.
        level: member name of ``opensmile.FeatureLevel``.
        description: one line for humans.
    """

    name: str
    dim: int
    opensmile_set: str
    level: str
    description: str

    @property
    def frame_level(self) -> bool:
        """True when every utterance gives a ``[frames, dim]`` matrix."""
        return self.level != "Functionals"


FEATURE_SETS: dict[str, FeatureSet] = {
    fs.name: fs
    for fs in (
        FeatureSet("is09", 384, "IS09", "Functionals", "Interspeech 2009 Emotion Challenge"),
        FeatureSet("is10", 1582, "IS10", "Functionals", "Interspeech 2010 Paralinguistic Challenge"),
        FeatureSet("is11", 4368, "IS11", "Functionals", "Interspeech 2011 Speaker State Challenge"),
        FeatureSet("is13", 6373, "IS13", "Functionals", "Interspeech 2013 ComParE functionals"),
        FeatureSet("egemaps", 88, "eGeMAPSv02", "Functionals", "extended GeMAPS v02 functionals"),
        FeatureSet(
            "compare_lld",
            65,
            "ComParE_2016",
            "LowLevelDescriptors",
            "ComParE 2016 low-level descriptors, 10 ms hop",
        ),
    )
}
ALIASES = {"compare": "is13"}


def get_feature_set(name: str) -> FeatureSet:
    """Look up a feature set by name or alias (``compare`` = ``is13``)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FEATURE_SETS:
        known = ", ".join(sorted([*FEATURE_SETS, *ALIASES]))
        raise ValueError(f"unknown feature set {name!r}; choose one of: {known}")
    return FEATURE_SETS[key]


def make_extractor(feature_set: FeatureSet | str):
    """Return an ``opensmile.Smile`` object for ``feature_set``."""
    import opensmile

    fs = get_feature_set(feature_set) if isinstance(feature_set, str) else feature_set
    return opensmile.Smile(
        feature_set=opensmile.FeatureSet[fs.opensmile_set],
        feature_level=opensmile.FeatureLevel[fs.level],
    )


def _worker_feature_names(feature_set: str) -> list[str]:
    return list(make_extractor(feature_set).feature_names)


def feature_names(feature_set: FeatureSet | str) -> list[str]:
    """openSMILE's names of the features, in column order (read in a worker process; cached)."""
    import json

    fs = get_feature_set(feature_set) if isinstance(feature_set, str) else feature_set
    cached = cache_root() / "feature_names" / f"{fs.name}.json"
    if cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8"))
    with _broken_pool_explained(), process_pool(1) as pool:
        names = pool.submit(_worker_feature_names, fs.name).result()
    if len(names) != fs.dim:
        raise RuntimeError(f"openSMILE lists {len(names)} names for {fs.name}, expected {fs.dim}")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(names), encoding="utf-8")
    except OSError as err:
        _cache_unusable(cached.parent, err)
    return names


def _extract_with(extractor, path: pathlib.Path, fs: FeatureSet, channel: int | None = None) -> np.ndarray:
    signal = read_audio(path, channel=channel)
    values = extractor.process_signal(signal, SAMPLE_RATE).to_numpy(dtype=np.float32)
    if values.shape[-1] != fs.dim:
        raise AudioFileError(f"{path}: openSMILE returned {values.shape[-1]} values, expected {fs.dim}")
    if not fs.frame_level:
        values = values.reshape(fs.dim)
    if not np.all(np.isfinite(values)):
        bad = int(values.size - np.isfinite(values).sum())
        raise AudioFileError(
            f"{path}: openSMILE's {fs.name} configuration returned {bad} non-finite value(s) of {values.size} for "
            f"this {signal.size / SAMPLE_RATE:.3f} s recording, although it passed the audio checks (length, "
            "finite samples, range, not silent); listen to it, then replace or remove it"
        )
    return values


_WORKER_EXTRACTORS: dict = {}


def _worker_extract(path: str, feature_set: str, channel: int | None = None) -> np.ndarray:
    """Runs in a worker process: one cached ``Smile`` object per feature set and process."""
    fs = get_feature_set(feature_set)
    if fs.name not in _WORKER_EXTRACTORS:
        _WORKER_EXTRACTORS[fs.name] = make_extractor(fs)
    return _extract_with(_WORKER_EXTRACTORS[fs.name], pathlib.Path(path), fs, channel)


def extract_file(path, feature_set: FeatureSet | str) -> np.ndarray:
    """Features of one file: ``(dim,)`` for functionals, ``(frames, dim)`` for LLDs."""
    result = extract_many([path], feature_set, n_jobs=1, progress=False)
    return result.features[0]


@dataclasses.dataclass
class ExtractionResult:
    """Outcome of :func:`extract_many`: features in input order and the files skipped."""

    paths: list[pathlib.Path]
    features: list[np.ndarray]
    skipped: list[tuple[pathlib.Path, str]]

    def stacked(self) -> np.ndarray:
        """Features as one ``[n, dim]`` array (functional sets only)."""
        return np.stack(self.features) if self.features else np.zeros((0, 0), np.float32)


def _cache_file(cache_dir: pathlib.Path, path: pathlib.Path, fs: FeatureSet, channel: int | None) -> pathlib.Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    return cache_dir / fs.name / (f"{digest}.npy" if channel is None else f"{digest}-channel{channel}.npy")


def _save_atomically(target: pathlib.Path, values: np.ndarray) -> None:
    """Write ``values`` to ``target`` via a temporary file, which is removed if anything fails (disk full...)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.save(stream, values)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _cache_unusable(folder: pathlib.Path, err: OSError) -> None:
    warnings.warn(
        f"the feature cache {folder} cannot be used ({err}); continuing without it. Set {CACHE_ENV} to a "
        "writable folder with free space to cache features again.",
        RuntimeWarning,
        stacklevel=3,
    )


class _Cache:
    """The optional per-file feature cache of one :func:`extract_many` call: any ``OSError`` reading or
    writing it (read-only, full, unreadable) warns once and turns the cache off for the rest of the call."""

    def __init__(self, cache_dir, paths: list[pathlib.Path], fs: FeatureSet, channel: int | None = None):
        self.folder = pathlib.Path(cache_dir) if cache_dir is not None else None
        self.paths, self.fs, self.files = paths, fs, {}
        if self.folder is not None:
            self.files = {i: _cache_file(self.folder, p, fs, channel) for i, p in enumerate(paths) if p.is_file()}

    def _off(self, err: OSError) -> None:
        _cache_unusable(self.folder, err)
        self.files = {}

    def lookup(self) -> dict[int, np.ndarray]:
        """The cached features, by input index."""
        try:
            loaded = {i: _load(c, self.paths[i], self.fs) for i, c in self.files.items() if c.is_file()}
            return {i: values for i, values in loaded.items() if values is not None}
        except OSError as err:
            self._off(err)
            return {}

    def store(self, index: int, values: np.ndarray) -> None:
        if index in self.files:
            try:
                _save_atomically(self.files[index], values)
            except OSError as err:
                self._off(err)


def _load(cached: pathlib.Path, audio: pathlib.Path, fs: FeatureSet) -> np.ndarray | None:
    """The cached features of ``audio``; None (with a warning, the file removed) if the cache file is damaged.
    An ``OSError`` (unreadable cache) propagates: :class:`_Cache` then turns the cache off."""
    with open(cached, "rb") as stream:
        try:
            values = np.load(stream)
        except (ValueError, EOFError) as err:  # a truncated or overwritten .npy
            values, damage = None, err
        else:
            damage = (
                None
                if values.shape[-1:] == (fs.dim,) and values.ndim == (2 if fs.frame_level else 1)
                else (f"shape {values.shape}, expected {'[frames, ' if fs.frame_level else '['}{fs.dim}]")
            )
    if damage is not None:
        logger.warning(
            "damaged feature cache file %s (%s) for %s: removed, the file's features are extracted again",
            cached,
            damage,
            audio,
        )
        with contextlib.suppress(OSError):
            cached.unlink()
        return None
    return values


@contextlib.contextmanager
def _broken_pool_explained():
    """Turn ``BrokenProcessPool`` into an error that names its usual cause (a script without a __main__ guard)."""
    try:
        yield
    except concurrent.futures.process.BrokenProcessPool as err:
        raise RuntimeError(
            "an openSMILE worker process died before returning its result. The usual cause: extract_many (or "
            "anything that builds a dataset, e.g. serzoo.load_corpus) was called at the top level of a script. "
            "Workers are spawned: each one imports your script again, so put the call under "
            '`if __name__ == "__main__":`. Otherwise the worker ran out of memory or was killed; '
            "see the worker's error printed above"
        ) from err


def extract_many(
    paths: Sequence[str | os.PathLike],
    feature_set: FeatureSet | str,
    *,
    n_jobs: int | None = None,
    on_error: str = "raise",
    cache_dir: str | os.PathLike | None = None,
    progress: bool = True,
    channel: int | None = None,
) -> ExtractionResult:
    """Extract features of many files in parallel worker processes.

    openSMILE runs in freshly spawned processes that never import TensorFlow: loading the
    openSMILE library into a process that already holds TensorFlow corrupts the heap
    ("malloc(): corrupted top size", measured with TF 2.21 + opensmile 2.6). Each worker imports the
    calling script again, so a script must call this (or anything that builds a dataset) under
    ``if __name__ == "__main__":``; without the guard the workers die and a ``RuntimeError`` says so.

    Args:
        paths: audio files.
        feature_set: registry name or :class:`FeatureSet`.
        n_jobs: worker processes, default all cores.
        on_error: ``"raise"`` stops at the first bad file with an :class:`AudioFileError`
            naming it; ``"skip"`` leaves it out and lists it in ``result.skipped``.
        cache_dir: if given, each file's features are stored there (keyed by the file's content
            hash) as soon as they are computed, so an interrupted extraction resumes where it stopped.
        progress: show a progress bar.
        channel: which channel of multi-channel files to use (:func:`serzoo.audio.read_audio`): ``None``
            mixes them down; cached separately per choice.

    Raises:
        AudioFileError: a bad file (``on_error="raise"``); see :func:`serzoo.audio.read_audio`.
        RuntimeError: a worker process died (no ``__main__`` guard, out of memory).
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    from tqdm.auto import tqdm

    fs = get_feature_set(feature_set) if isinstance(feature_set, str) else feature_set
    paths = [pathlib.Path(p) for p in paths]
    cache = _Cache(cache_dir, paths, fs, channel)
    results = cache.lookup()
    todo = [i for i in range(len(paths)) if i not in results]
    skipped: list[tuple[pathlib.Path, str]] = []
    bar = tqdm(total=len(paths), initial=len(results), desc=f"openSMILE {fs.name}", unit="file", disable=not progress)
    if todo:
        workers = max(1, min(n_jobs or os.cpu_count() or 1, len(todo)))
        with _broken_pool_explained(), process_pool(workers) as pool:
            futures = {pool.submit(_worker_extract, str(paths[i]), fs.name, channel): i for i in todo}
            try:
                for future in concurrent.futures.as_completed(futures):
                    index = futures[future]
                    try:
                        results[index] = future.result()
                    except AudioFileError as err:
                        if on_error == "raise":
                            raise
                        skipped.append((paths[index], str(err)))
                        continue
                    finally:
                        bar.update(1)
                    cache.store(index, results[index])
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    bar.close()
    order = sorted(results)
    return ExtractionResult(
        paths=[paths[i] for i in order],
        features=[results[i] for i in order],
        skipped=sorted(skipped),
    )
