"""Loading datasets: one corpus or several, their class sets, and the in-memory :class:`Corpus` the folds use.

A dataset spec names one corpus or several and a feature set, optionally with a class set:
``emodb/is11``, ``ravdess/is11+shared6``, ``emodb+ravdess+emovo/egemaps+shared6`` (:func:`parse_spec`). Each corpus is
built once with TFDS (one split per speaker or session); a multi-corpus dataset joins them into one corpus whose
groups are (corpus, speaker). Folds and normalisation live in :mod:`serzoo.folds` and :mod:`serzoo.normalisation`
(their names are importable from here too).

Example:
    >>> corpus = load_corpus("emodb+ravdess+emovo/is11+shared6")                       # doctest: +SKIP
    >>> for fold in iter_folds(corpus, fold_scheme="leave-one-corpus-out"):            # doctest: +SKIP
    ...     clf.fit(fold.x_train, fold.y_train)
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pathlib
from collections.abc import Mapping, Sequence

import numpy as np

from serzoo.builders import DATASETS, builder_class

# The fold and normalisation names that scripts import from here (they live in their own modules).
from serzoo.folds import (
    SPEAKER_HALVES,
    Fold,
    FoldCache,
    FoldData,
    iter_folds,
    leave_one_group_out,
    make_folds,
    speaker_halves,
)
from serzoo.normalisation import NORMALISATIONS, Normalizer


def parse_dataset(spec: str) -> tuple[str, str]:
    """``"emodb/is11"`` → ``("emodb", "is11")``; ``"iemocap/is10_four_class"`` likewise (one corpus, no class set).

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


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """A parsed dataset spec (:func:`parse_spec`)."""

    corpora: tuple[str, ...]  # corpus (builder) names, in the spec's order
    config: str  # the builder config every corpus is loaded with (``is11``)
    classes: str | None = None  # a class set of serzoo.emotions.CLASS_SETS
    label: str = "label"  # the class-label feature giving y (``activation_class`` for a rated corpus's bins)


def parse_spec(spec: str, classes: str | None = None) -> DatasetSpec:
    """``CORPUS[+CORPUS...]/CONFIG[+SUFFIX]``: the suffix is a class set (``shared6``, ``arousal``...; the same as
    ``classes``) or a rated corpus's class label (``activation_class``), as in the feature-set names serzoo's
    reports print (``is11+shared6``), so a report's dataset loads again as it was.

    Raises:
        ValueError: an unknown corpus, config, class set or suffix; a corpus twice; two different class sets.
    """
    from serzoo.emotions import CLASS_SETS, get_class_set

    names, _, config = spec.partition("/")
    corpora = tuple(names.split("+"))
    if len(set(corpora)) < len(corpora):
        raise ValueError(f"{spec!r} names a corpus twice")
    config, _, suffix = config.partition("+")
    label = "label"
    if suffix and suffix not in CLASS_SETS:
        if not suffix.endswith("_class"):
            raise ValueError(
                f"{spec!r}: {suffix!r} after '+' is neither a class set ({', '.join(CLASS_SETS)}) nor a class label "
                "such as activation_class"
            )
        label, suffix = suffix, ""
    if suffix and classes and suffix != classes:
        raise ValueError(f"{spec!r} names the class set {suffix!r}, but classes={classes!r} was passed")
    chosen = classes or suffix or None
    if chosen:
        get_class_set(chosen)
    configs = {parse_dataset(f"{name}/{config}")[1] for name in corpora}
    if len(configs) > 1:
        raise ValueError(f"{spec!r}: the config {config!r} means {sorted(configs)} for its corpora; name one config")
    return DatasetSpec(corpora, configs.pop(), chosen, label)


def manual_dirs(corpora: Sequence[str], manual_dir=None) -> dict[str, str | None]:
    """Each corpus's folder: from ``manual_dir`` (a folder for one corpus; ``"emodb=PATH,ravdess=PATH"`` or a
    mapping for several), else ``$SERZOO_<CORPUS>_DIR`` (:func:`manual_dir_env`), else None (generated corpora; EmoDB
    then downloads its archive).

    Raises:
        ValueError: one folder for several corpora, a malformed ``NAME=PATH`` list, or a name not in ``corpora``.
    """
    given: Mapping[str, str] = {}
    if isinstance(manual_dir, Mapping):
        given = {str(k): str(v) for k, v in manual_dir.items()}
    elif manual_dir is not None and "=" in str(manual_dir):
        pairs = [item.partition("=") for item in str(manual_dir).split(",") if item.strip()]
        if any(not name.strip() or not path.strip() for name, _, path in pairs):
            raise ValueError(f"manual dir {manual_dir!r}: expected NAME=PATH[,NAME=PATH...]")
        given = {name.strip(): path.strip() for name, _, path in pairs}
    elif manual_dir is not None:
        if len(corpora) > 1:
            raise ValueError(
                f"one manual dir ({manual_dir}) for the corpora {'+'.join(corpora)}: pass one folder per corpus, "
                f"e.g. {','.join(f'{c}=PATH' for c in corpora)}, or set {', '.join(manual_dir_env(c) for c in corpora)}"
            )
        given = {corpora[0]: str(manual_dir)}
    unknown = sorted(set(given) - set(corpora))
    if unknown:
        raise ValueError(f"manual dirs given for {unknown}, which are not among the corpora {list(corpora)}")
    return {name: given.get(name) or os.environ.get(manual_dir_env(name)) or None for name in corpora}


def manual_dir_env(corpus: str) -> str:
    """The environment variable naming a corpus's folder when no manual dir is given: ``SERZOO_<CORPUS>_DIR``."""
    return f"SERZOO_{corpus.upper()}_DIR"


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
    y: np.ndarray  # [n] int64 (-1: a row a class set leaves out, in Corpus.left_out)
    speaker: np.ndarray  # [n] str
    utterance_id: np.ndarray  # [n] str
    corpus: np.ndarray | None = None  # [n] str: each row's corpus (``""`` for data built without one)

    def __post_init__(self):
        if self.corpus is None:
            self.corpus = np.full(len(self.y), "")

    @classmethod
    def concat(cls, parts: Sequence[SplitData]) -> SplitData:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in dataclasses.fields(cls)))

    def rows(self, index) -> SplitData:
        """The rows selected by ``index`` (a boolean mask or integer indices)."""
        return SplitData(*(getattr(self, f.name)[index] for f in dataclasses.fields(self)))


@dataclasses.dataclass
class Corpus:
    """A prepared corpus (or several joined, :func:`combine_corpora`) held in memory, split by group.

    ``left_out`` holds, per split, the speech of the classes a class set leaves out (label -1; e.g. EmoDB's boredom
    under ``shared6``): never a labelled row, but part of a speaker's or corpus's statistics (:meth:`speech`), which
    need no labels.
    """

    name: str  # the corpus, or the corpora joined by "+" ("emodb+ravdess+emovo")
    feature_set: str  # the builder config, e.g. "is11" or "is10_four_class", plus "+<class set>" when mapped
    class_names: list[str]
    splits: dict[str, SplitData]
    opensmile_set: str = ""  # the feature set of that config, e.g. "is10"
    left_out: dict[str, SplitData] = dataclasses.field(default_factory=dict)

    def corpus_splits(self) -> dict[str, list[str]]:
        """The group splits of each corpus (``{"emodb": ["emodb:speaker03", ...], ...}``; one corpus: all)."""
        by_corpus: dict[str, list[str]] = {}
        for split in self.splits:
            owner = split.partition(":")[0] if ":" in split else self.name
            by_corpus.setdefault(owner, []).append(split)
        return by_corpus

    def speech(self, split_names: Sequence[str]) -> SplitData:
        """All speech of ``split_names``: the labelled rows and those a class set leaves out (for statistics)."""
        parts = [self.splits[s] for s in split_names] + [self.left_out[s] for s in split_names if s in self.left_out]
        return SplitData.concat(parts)

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
        keep = set(split_names)
        return dataclasses.replace(
            self,
            splits={s: v for s, v in self.splits.items() if s in keep},
            left_out={s: v for s, v in self.left_out.items() if s in keep},
        )


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


def load_corpus(
    spec: str,
    *,
    data_dir=None,
    manual_dir=None,
    rebuild: bool = False,
    label: str = "label",
    classes: str | None = None,
) -> Corpus:
    """Prepare a dataset with TFDS (each corpus once; cached in ``data_dir``) and load every group split into memory.

    Args:
        spec: ``CORPUS[+CORPUS...]/CONFIG[+CLASSES]`` (:func:`parse_spec`): one corpus (``"emodb/is11"``) or several
            (``"emodb+ravdess+emovo/is11+shared6"``), whose groups become (corpus, group) splits ``emodb:speaker03``
            with speakers ``emodb:03``, and which records each row's corpus (``SplitData.corpus``); folds over
            corpora: :func:`serzoo.folds.make_folds`.
        manual_dir: the corpus folder (one corpus), or ``"emodb=PATH,ravdess=PATH"`` / a mapping per corpus; a
            corpus without one uses ``$SERZOO_<CORPUS>_DIR`` (:func:`manual_dirs`).
        rebuild: see :func:`prepare_builder`.
        label: the class-label feature that gives ``y`` (:func:`class_labels`): the categories (``"label"``), or a
            rated corpus's 3-bin attribute, e.g. ``"activation_class"`` (low / mid / high: consensus rating <= 2.5,
            <= 3.5, above; Sahu et al. ICASSP 2019 Sec. 3.1 bin the 1-5 ratings {1, 2}, {3}, {4, 5}); utterances
            without that rating are left out, and the feature set is named ``<config>+<label>``.
        classes: a class set of :data:`serzoo.emotions.CLASS_SETS` (``"shared6"``, ``"arousal"``...), the same as
            the spec's ``+CLASSES`` suffix: labels are mapped onto it (:func:`map_classes`).

    Raises:
        ValueError: an unknown corpus, config or class set; corpora with different classes and no class set.
    """
    parsed = parse_spec(spec, classes)
    if parsed.label != "label" and label != "label" and parsed.label != label:
        raise ValueError(f"{spec!r} names the class label {parsed.label!r}, but label={label!r} was passed")
    label = parsed.label if parsed.label != "label" else label
    folders = manual_dirs(parsed.corpora, manual_dir)
    members = []
    for name in parsed.corpora:
        member = _load_one(f"{name}/{parsed.config}", data_dir, folders[name], rebuild, label)
        members.append(map_classes(member, parsed.classes) if parsed.classes else member)
    return members[0] if len(members) == 1 else combine_corpora(members)


def _load_one(spec: str, data_dir, manual_dir, rebuild: bool, label: str) -> Corpus:
    builder = prepare_builder(spec, data_dir=data_dir, manual_dir=manual_dir, rebuild=rebuild)
    name, config = parse_dataset(spec)
    labels = class_labels(builder)
    if label not in labels:
        raise ValueError(f"{name}/{config} has no class label {label!r}; its class labels: {', '.join(labels)}")
    splits = {}
    for split in builder.group_splits():
        data = _split_to_numpy(builder, split, label)
        splits[split] = dataclasses.replace(data, corpus=np.full(data.y.size, name))
    return Corpus(
        name=name,
        feature_set=config if label == "label" else f"{config}+{label}",
        class_names=list(builder.info.features[label].names),
        splits=splits,
        opensmile_set=builder.builder_config.feature_set,
    )


def map_classes(corpus: Corpus, class_set: str) -> Corpus:
    """``corpus`` with its labels mapped onto a class set of :data:`serzoo.emotions.CLASS_SETS`: a regrouping
    (``"arousal"``: low/high, ``"valence"``: negative/positive) or a shared inventory (``"shared6"``), whose other
    classes move to ``left_out`` (speech kept for normalisation statistics, never a labelled row; a group left with no
    labelled row has no split and takes no part in the folds, with a warning). The feature set is
    named ``<feature set>+<class set>``; features are shared, not copied, where no row moves."""
    from serzoo.emotions import class_map

    names, mapping = class_map(corpus.class_names, class_set, corpus.name)
    lookup = np.asarray(mapping, np.int64)
    splits, left_out = {}, dict(corpus.left_out)
    for name, split in corpus.splits.items():
        y = lookup[split.y]
        kept = y >= 0
        if kept.all():
            splits[name] = dataclasses.replace(split, y=y)
            continue
        if kept.any():
            splits[name] = dataclasses.replace(split.rows(kept), y=y[kept])
        else:
            logging.getLogger(__name__).warning(
                "%s: %s has no utterance of the classes of %s (%s): it has no labelled split and takes no part in the "
                "folds",
                corpus.name,
                name,
                class_set,
                ", ".join(names),
            )
        dropped = dataclasses.replace(split.rows(~kept), y=np.full(int((~kept).sum()), -1, np.int64))
        left_out[name] = SplitData.concat([left_out[name], dropped]) if name in left_out else dropped
    return dataclasses.replace(
        corpus,
        feature_set=f"{corpus.feature_set}+{class_set}",
        class_names=names,
        splits=splits,
        left_out=left_out,
        opensmile_set=corpus.opensmile_set or corpus.feature_set,
    )


def combine_corpora(corpora: Sequence[Corpus]) -> Corpus:
    """One corpus of several (same feature set and classes): splits ``<corpus>:<split>``, speakers and utterance
    ids ``<corpus>:<id>``, each row's ``corpus`` kept.

    Raises:
        ValueError: a corpus twice, different feature sets, or different classes (with the fix: a class set).
    """
    names = [c.name for c in corpora]
    if len(set(names)) < len(names):
        raise ValueError(f"a corpus appears twice in {'+'.join(names)}")
    for other in corpora[1:]:
        first = corpora[0]
        if other.class_names != first.class_names:
            raise ValueError(
                f"{first.name} and {other.name} have different classes ({first.class_names} vs {other.class_names}); "
                "map both onto one class set, e.g. '+shared6' in the spec or classes='shared6'"
            )
        if other.feature_set != first.feature_set:
            raise ValueError(
                f"{first.name}/{first.feature_set} and {other.name}/{other.feature_set} have different feature sets"
            )

    def renamed(corpus: Corpus, parts: dict[str, SplitData]) -> dict[str, SplitData]:
        prefix = f"{corpus.name}:"
        return {
            prefix + name: dataclasses.replace(
                split,
                speaker=np.char.add(prefix, split.speaker.astype(str)),
                utterance_id=np.char.add(prefix, split.utterance_id.astype(str)),
            )
            for name, split in parts.items()
        }

    return Corpus(
        name="+".join(names),
        feature_set=corpora[0].feature_set,
        class_names=list(corpora[0].class_names),
        splits={k: v for c in corpora for k, v in renamed(c, c.splits).items()},
        left_out={k: v for c in corpora for k, v in renamed(c, c.left_out).items()},
        opensmile_set=corpora[0].opensmile_set,
    )


__all__ = [
    "SPEAKER_HALVES",
    "NORMALISATIONS",
    "Corpus",
    "Fold",
    "FoldCache",
    "FoldData",
    "Normalizer",
    "SplitData",
    "combine_corpora",
    "iter_folds",
    "leave_one_group_out",
    "load_corpus",
    "make_folds",
    "map_classes",
    "speaker_halves",
]
