"""TFDS loading, leave-one-group-out folds and fold-wise normalisation.

Every corpus builder has one split per group (speaker or session); a fold is split arithmetic:
train on ``"+".join(other groups)``, test on the held-out group. Preprocessing is fitted on the
training fold only (drop zero-variance features, z-normalise), as in Yi & Mak (journal, Sec. IV-B).

Example:
    >>> corpus = load_corpus("emodb/is11", manual_dir="PATH")  # doctest: +SKIP
    >>> for fold in iter_folds(corpus):                                          # doctest: +SKIP
    ...     clf.fit(fold.x_train, fold.y_train)
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from collections.abc import Iterator, Sequence

import numpy as np

from serzoo.builders import DATASETS, builder_class

NORMALISATIONS = ("global", "speaker")


def parse_dataset(spec: str) -> tuple[str, str]:
    """``"emodb/is11"`` → ``("emodb", "is11")``; ``"iemocap/is10_four_class"`` likewise.

    Without a config the builder's default is used; the ``compare`` alias means ``is13``.
    """
    from serzoo.features import ALIASES

    name, _, config = spec.partition("/")
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r} in {spec!r}; choose one of: {', '.join(DATASETS)}")
    configs = [c.name for c in builder_class(name).BUILDER_CONFIGS]
    if not config:
        return name, configs[0]
    head, sep, tail = config.partition("_")
    candidates = [config.lower(), f"{ALIASES.get(head.lower(), head.lower())}{sep}{tail}"]
    for candidate in candidates:
        if candidate in configs:
            return name, candidate
    raise ValueError(f"{name} has no config {config!r}; choose one of: {', '.join(configs)}")


def prepare_builder(spec: str, *, data_dir=None, manual_dir=None, rebuild: bool = False):
    """Build (once; cached in ``data_dir``) and return the TFDS builder for ``spec``.

    A build holds a lock on ``<data_dir>/<name>/.<config>.lock``: a second build of the same dataset waits for
    the first and reuses its result; stale ``incomplete.*`` folders of killed builds are removed meanwhile.
    A dataset built from a manual dir records its fingerprint (:mod:`serzoo.fingerprint`); when ``manual_dir``
    holds other files, the build is refused (``ValueError`` naming both) unless ``rebuild``, which builds it
    again from ``manual_dir``.
    """
    import tensorflow_datasets as tfds

    from serzoo.quiet import tfds_messages_hidden
    from serzoo.staging import exclusive_lock, private_tempdir, remove_incomplete_tfds

    name, config = parse_dataset(spec)
    if manual_dir is not None and not os.path.isdir(manual_dir):
        raise FileNotFoundError(
            f"manual dir {manual_dir} does not exist; pass the folder that holds the corpus "
            f"(for EmoDB the one containing wav/)"
        )
    with private_tempdir():
        config_dir = pathlib.Path(builder_class(name)(config=config, data_dir=data_dir).data_dir).parent
    with exclusive_lock(
        config_dir.parent / f".{config}.lock",
        f"waiting for another build of {name}/{config} in {config_dir.parent.parent} to finish",
    ):
        remove_incomplete_tfds(config_dir)
        with private_tempdir():
            builder = builder_class(name)(config=config, data_dir=data_dir)  # after the wait: sees a finished build
        mode = tfds.download.GenerateMode.REUSE_DATASET_IF_EXISTS
        if builder.is_prepared() and manual_dir is not None and _source_changed(builder, manual_dir, rebuild):
            mode = tfds.download.GenerateMode.REUSE_CACHE_IF_EXISTS  # rebuild the dataset, keep downloads
        download_config = tfds.download.DownloadConfig(manual_dir=manual_dir, download_mode=mode)
        with tfds_messages_hidden():
            builder.download_and_prepare(download_config=download_config)
    return builder


def _source_changed(builder, manual_dir, rebuild: bool) -> bool:
    """Whether the built dataset came from other files than ``manual_dir`` holds; refused unless ``rebuild``."""
    from serzoo.fingerprint import describe, same_source, source_fingerprint

    recorded = builder.info.metadata.get("source") if builder.info.metadata is not None else None
    if not recorded:  # built before fingerprints were recorded, or from a generated/downloaded corpus
        return rebuild
    current = source_fingerprint(manual_dir)
    if same_source(recorded, current):
        return rebuild
    if not rebuild:
        raise ValueError(
            f"the dataset {builder.data_dir} was built from {describe(recorded)}, but the manual dir "
            f"{describe(current)} holds other files; rebuild it from {manual_dir} with `serzoo build --rebuild` "
            f"(load_corpus(..., rebuild=True)), or pass another --data-dir"
        )
    return True


@dataclasses.dataclass
class SplitData:
    """One split as numpy: features, integer labels and per-utterance metadata."""

    x: np.ndarray  # [n, dim] (or object array of [frames, dim] for frame-level sets)
    y: np.ndarray  # [n] int64
    speaker: np.ndarray  # [n] str
    utterance_id: np.ndarray  # [n] str

    @classmethod
    def concat(cls, parts: Sequence[SplitData]) -> SplitData:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(cls)))


@dataclasses.dataclass
class Corpus:
    """A prepared corpus held in memory, split by group."""

    name: str
    feature_set: str  # the builder config, e.g. "is11" or "is10_four_class"
    class_names: list[str]
    splits: dict[str, SplitData]
    opensmile_set: str = ""  # the feature set of that config, e.g. "is10"

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def feature_names(self) -> list[str]:
        """openSMILE's feature names in column order."""
        from serzoo.features import feature_names

        return feature_names(self.opensmile_set or self.feature_set)

    def select(self, split_names: Sequence[str]) -> SplitData:
        return SplitData.concat([self.splits[s] for s in split_names])

    def subset(self, split_names: Sequence[str]) -> Corpus:
        """The same corpus restricted to ``split_names`` (e.g. the development speakers of a search)."""
        unknown = sorted(set(split_names) - set(self.splits))
        if unknown:
            raise ValueError(f"{self.name}: no group split(s) {unknown}; the groups are {list(self.splits)}")
        return dataclasses.replace(self, splits={s: self.splits[s] for s in self.splits if s in split_names})


#: Documented development / evaluation halves of a corpus's groups. EmoDB: the ten speakers in id order, split in
#: the middle: 03 08 09 10 11 (male 03 10 11, female 08 09; 243 utterances) and 12 13 14 15 16 (male 12 15, female
#: 13 14 16; 292 utterances), as gender-balanced as five of ten speakers (five of each gender) can be.
SPEAKER_HALVES = {
    "emodb": (
        ("speaker03", "speaker08", "speaker09", "speaker10", "speaker11"),
        ("speaker12", "speaker13", "speaker14", "speaker15", "speaker16"),
    ),
}


def speaker_halves(corpus: Corpus, development: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """(development groups, evaluation groups): ``development`` if given, else the corpus's documented halves
    (:data:`SPEAKER_HALVES`), else the first half of its groups in sorted order."""
    groups = sorted(corpus.splits)
    if development:
        dev = list(dict.fromkeys(development))
        unknown = sorted(set(dev) - set(groups))
        if unknown:
            raise ValueError(f"--dev-groups names unknown groups {unknown}; {corpus.name}'s groups are {groups}")
    elif corpus.name in SPEAKER_HALVES:
        dev = list(SPEAKER_HALVES[corpus.name][0])
    else:
        dev = groups[: len(groups) // 2]
    evaluation = [g for g in groups if g not in dev]
    if len(dev) < 2 or not evaluation:
        raise ValueError(
            f"the development groups {dev} need at least 2 groups (inner leave-one-out) and must leave "
            f"at least one of {groups} for evaluation"
        )
    return dev, evaluation


def _split_to_numpy(builder, split: str, label: str = "label") -> SplitData:
    """One split in memory, streamed from TFDS into arrays allocated once from the split's recorded size: the peak
    is about the split's feature matrix (a list of per-row arrays stacked at the end held it twice, plus Python
    objects per row)."""
    import tensorflow_datasets as tfds

    size = builder.info.splits[split].num_examples
    names = ("features", label, "speaker", "utterance_id")
    dataset = builder.as_dataset(split=split, shuffle_files=False).map(lambda r: {k: r[k] for k in names})
    x = y = None
    speaker, utterance_id = [], []
    kept = 0
    for row in tfds.as_numpy(dataset):
        if label != "label" and row[label] < 0:  # -1: no consensus rating
            continue
        if x is None:
            frame_level = row["features"].ndim == 2
            x = np.empty(size, object) if frame_level else np.empty((size, *row["features"].shape), np.float32)
            y = np.empty(size, np.int64)
        x[kept], y[kept] = row["features"], row[label]
        speaker.append(row["speaker"].decode())
        utterance_id.append(row["utterance_id"].decode())
        kept += 1
    if not kept:
        raise ValueError(
            f"split {split!r} of {builder.name}/{builder.builder_config.name} is empty"
            + (f" (no utterance has a {label!r})" if label != "label" else "")
        )
    if kept < size:  # rows without the label were left out
        x, y = x[:kept].copy(), y[:kept]
    return SplitData(x=x, y=y, speaker=np.array(speaker), utterance_id=np.array(utterance_id))


def class_labels(builder) -> list[str]:
    """The builder's class-label features: ``label`` and, for rated corpora (IEMOCAP, MSP-IMPROV), the 3-bin
    ``activation_class`` / ``valence_class`` / ``dominance_class`` of the consensus ratings."""
    import tensorflow_datasets as tfds

    return [name for name, feature in builder.info.features.items() if isinstance(feature, tfds.features.ClassLabel)]


def load_corpus(spec: str, *, data_dir=None, manual_dir=None, rebuild: bool = False, label: str = "label") -> Corpus:
    """Prepare ``spec`` (``"emodb/is11"``) with TFDS and load every group split into memory
    (``rebuild``: see :func:`prepare_builder`).

    ``label``: the class-label feature that gives ``y`` (:func:`class_labels`): the categories (``"label"``), or a
    rated corpus's 3-bin attribute, e.g. ``"activation_class"`` (low / mid / high: consensus rating <= 2.5, <= 3.5,
    above; Sahu et al. ICASSP 2019 Sec. 3.1 bin the 1-5 ratings {1, 2}, {3}, {4, 5}); utterances without that rating
    are left out, and the feature set is named ``<config>+<label>``.
    """
    builder = prepare_builder(spec, data_dir=data_dir, manual_dir=manual_dir, rebuild=rebuild)
    name, config = parse_dataset(spec)
    labels = class_labels(builder)
    if label not in labels:
        raise ValueError(f"{name}/{config} has no class label {label!r}; its class labels: {', '.join(labels)}")
    return Corpus(
        name=name,
        feature_set=config if label == "label" else f"{config}+{label}",
        class_names=list(builder.info.features[label].names),
        splits={s: _split_to_numpy(builder, s, label) for s in builder.group_splits()},
        opensmile_set=builder.builder_config.feature_set,
    )


def regroup_labels(corpus: Corpus, grouping: str) -> Corpus:
    """``corpus`` with its categories mapped to a binary grouping of :data:`serzoo.emotions.EMODB_GROUPINGS`
    (``"arousal"``: low/high, ``"valence"``: negative/positive); features and splits are shared, not copied."""
    from serzoo.emotions import grouping_map

    names, mapping = grouping_map(corpus.class_names, grouping)
    lookup = np.asarray(mapping, np.int64)
    splits = {name: dataclasses.replace(split, y=lookup[split.y]) for name, split in corpus.splits.items()}
    return dataclasses.replace(
        corpus,
        feature_set=f"{corpus.feature_set}+{grouping}",
        class_names=names,
        splits=splits,
        opensmile_set=corpus.opensmile_set or corpus.feature_set,
    )


@dataclasses.dataclass(frozen=True)
class Fold:
    """One leave-one-group-out fold, as TFDS split names."""

    index: int
    test_splits: tuple[str, ...]
    train_splits: tuple[str, ...]

    @property
    def name(self) -> str:
        return "+".join(self.test_splits)

    @property
    def train_split_expr(self) -> str:
        """TFDS split expression of the training part (``speaker03+speaker08+…``)."""
        return "+".join(self.train_splits)


def leave_one_group_out(
    split_names: Sequence[str],
    max_folds: int | None = None,
    held_out: Sequence[str] | None = None,
) -> list[Fold]:
    """Folds holding out each group split in turn (the first ``max_folds`` of them, or only those
    holding out the groups named in ``held_out``, e.g. to share a long run between processes)."""
    if len(split_names) < 2:
        raise ValueError(f"leave-one-group-out needs at least 2 group splits, got {list(split_names)}")
    if max_folds is not None and not 1 <= max_folds <= len(split_names):
        raise ValueError(f"max_folds must be in 1..{len(split_names)}, got {max_folds}")
    unknown = sorted(set(held_out or ()) - set(split_names))
    if unknown:
        raise ValueError(f"held_out names unknown groups {unknown}; the groups are {list(split_names)}")
    folds = [Fold(i, (name,), tuple(s for s in split_names if s != name)) for i, name in enumerate(split_names)]
    if held_out:
        return [fold for fold in folds if fold.name in held_out]
    return folds[: max_folds or len(split_names)]


@dataclasses.dataclass
class Normalizer:
    """Fold-wise preprocessing fitted on training data only.

    ``mode="global"``: drop features with zero variance on the training fold, z-normalise with
    the training fold's mean and standard deviation (Yi & Mak). ``mode="speaker"``: the same
    feature mask, but every speaker (test speaker included, unlabelled) is z-normalised with its
    own statistics — a common SER alternative that removes speaker offsets.
    """

    mode: str = "global"
    keep: np.ndarray | None = None
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    dropped_values: np.ndarray | None = None  # the constant training value of each dropped feature

    def __post_init__(self):
        if self.mode not in NORMALISATIONS:
            raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {self.mode!r}")

    @staticmethod
    def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        flat = x.reshape(-1, x.shape[-1]).astype(np.float64)
        return flat.mean(axis=0), flat.std(axis=0)

    def fit(self, x: np.ndarray) -> Normalizer:
        mean, std = self._stats(x)
        self.keep = std > 1e-8
        self.mean, self.std = mean[self.keep], std[self.keep]
        self.dropped_values = mean[~self.keep]
        return self

    def fit_statistics(self, x: np.ndarray) -> Normalizer:
        """Mean / std of ``x`` for the features of an existing ``keep`` mask (another corpus's own scale)."""
        if self.keep is None:
            raise ValueError("fit_statistics needs a keep mask (from fit, or passed to the constructor)")
        mean, std = self._stats(x)
        self.mean, self.std = mean[self.keep], np.where(std[self.keep] > 1e-8, std[self.keep], 1.0)
        self.dropped_values = mean[~self.keep]
        return self

    def transform(self, x: np.ndarray, speakers: np.ndarray | None = None) -> np.ndarray:
        if self.keep is None:
            raise ValueError("Normalizer.transform called before fit")
        x = np.asarray(x)[..., self.keep].astype(np.float64)
        if self.mode == "global":
            return ((x - self.mean) / self.std).astype(np.float32)
        if speakers is None:
            raise ValueError("speaker normalisation needs the speaker of every row")
        out = np.empty_like(x)
        for speaker in np.unique(speakers):
            rows = speakers == speaker
            mean, std = self._stats(x[rows])
            out[rows] = (x[rows] - mean) / np.where(std > 1e-8, std, 1.0)
        return out.astype(np.float32)

    def inverse_transform(self, z: np.ndarray) -> np.ndarray:
        """Back to the kept features' original scale (global statistics)."""
        return (np.asarray(z, np.float64) * self.std + self.mean).astype(np.float32)

    def restore(self, z: np.ndarray) -> np.ndarray:
        """Normalised kept features → all original features (dropped ones at their constant value)."""
        out = np.empty((len(z), self.keep.size), np.float32)
        out[:, self.keep] = self.inverse_transform(z)
        out[:, ~self.keep] = self.dropped_values
        return out


@dataclasses.dataclass
class FoldData:
    """A fold's normalised training and test data."""

    fold: Fold
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train: SplitData
    test: SplitData
    normalizer: Normalizer


def iter_folds(
    corpus: Corpus,
    *,
    normalisation: str = "global",
    max_folds: int | None = None,
    held_out: Sequence[str] | None = None,
    progress: bool = True,
    desc: str = "folds",
) -> Iterator[FoldData]:
    """The one fold loop: leave-one-group-out folds with training-fold normalisation
    (``max_folds`` / ``held_out`` select folds as in :func:`leave_one_group_out`). Frame-level corpora
    (``compare_lld``) yield object arrays of ``[frames, LLDs]`` sequences normalised per LLD with the
    statistics of the training fold's frames."""
    from tqdm.auto import tqdm

    folds = leave_one_group_out(list(corpus.splits), max_folds, held_out)
    for fold in tqdm(folds, desc=desc, unit="fold", disable=not progress):
        train, test = corpus.select(fold.train_splits), corpus.select(fold.test_splits)
        if train.x.dtype == object:  # frame-level: per-LLD statistics of the training fold's frames
            if normalisation != "global":
                raise ValueError(
                    f"{corpus.name}/{corpus.feature_set} is frame-level: only normalisation='global' "
                    "(per-LLD statistics of the training frames) is supported"
                )
            normalizer = Normalizer(normalisation).fit(np.concatenate(list(train.x)))
            x_train, x_test = _transform_sequences(normalizer, train.x), _transform_sequences(normalizer, test.x)
        else:
            normalizer = Normalizer(normalisation).fit(train.x)
            x_train, x_test = normalizer.transform(train.x, train.speaker), normalizer.transform(test.x, test.speaker)
        yield FoldData(
            fold=fold,
            x_train=x_train,
            y_train=train.y,
            x_test=x_test,
            y_test=test.y,
            train=train,
            test=test,
            normalizer=normalizer,
        )


def _transform_sequences(normalizer: Normalizer, sequences: np.ndarray) -> np.ndarray:
    """An object array of normalised ``[frames, kept LLDs]`` sequences."""
    out = np.empty(len(sequences), object)
    out[:] = [normalizer.transform(s) for s in sequences]
    return out


class FoldCache:
    """The normalised data of one named fold at a time (the last one asked for), for code that computes units
    fold by fold in any order, e.g. worker processes (:mod:`serzoo.experiments.workers`)."""

    def __init__(self, corpus: Corpus, normalisation: str = "global"):
        self.corpus, self.normalisation = corpus, normalisation
        self._name, self._data = None, None

    def __call__(self, name: str) -> FoldData:
        if name != self._name:
            self._data = next(
                iter_folds(self.corpus, normalisation=self.normalisation, held_out=[name], progress=False)
            )
            self._name = name
        return self._data
