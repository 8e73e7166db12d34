"""The shared base of serzoo's TFDS corpus builders (openSMILE feature corpora).

A corpus builder lists its utterances (:class:`Utterance`); :class:`FeatureCorpusBuilder` extracts
the configured openSMILE feature set for all of them in parallel (cached, so an interrupted build
resumes without re-extracting), and writes one split per group (speaker or session), so that
leave-one-group-out folds are split arithmetic (``speaker03+speaker08``). The same base builds on Apache
Beam when TFDS gets Beam options or a runner (``tfds build --beam_pipeline_options=...``,
``serzoo build --beam ...``, :func:`serzoo.beam_options.requested`): the utterances are listed and checked here
as for a local build, and the extraction runs in the pipeline's workers (:mod:`tfds_builders.beam_examples`),
so every builder on this base, present or future, builds on Beam without code of its own.

Corpora with more than a label per utterance (IEMOCAP: session, dialog, dimensional ratings...)
declare them with :meth:`FeatureCorpusBuilder._extra_features` and fill ``Utterance.extra``;
corpora with several label schemes use :class:`SchemeConfig` (feature set x label scheme).
:class:`RatedSessionBuilder` is the base of the dyadic session corpora (IEMOCAP, MSP-IMPROV):
label files joined to WAVs by id, a consensus code plus valence / activation / dominance
ratings, and unlabelled WAVs skipped and listed in ``info.metadata``. Corpora stored as one folder per
speaker, labels in the file names (RAVDESS, EMOVO), list their files with :func:`scan_folders`.

This module lives with the builders (not in ``serzoo``): the builders import ``serzoo``, and
``serzoo`` reaches the builders only through :mod:`serzoo.builders`.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import math
import pathlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from serzoo import audio, beam_options, features, fingerprint


@dataclasses.dataclass(frozen=True)
class Utterance:
    """One labelled recording of a corpus."""

    utterance_id: str
    path: epath.Path
    label: str
    speaker: str
    gender: str
    text: str
    group: str  # split suffix: the speaker id (EmoDB) or session number
    #: values of the builder's ``_extra_features()``, same keys (empty for EmoDB / synth_emo)
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict, hash=False)


@dataclasses.dataclass
class FeatureConfig(tfds.core.BuilderConfig):
    """Builder config = one openSMILE feature set of :data:`serzoo.features.FEATURE_SETS`."""

    feature_set: str = "is11"


def feature_configs(default: str = "is11") -> list[FeatureConfig]:
    """One config per registered feature set, ``default`` first (TFDS takes the first)."""
    names = [default, *(n for n in features.FEATURE_SETS if n != default)]
    sets = [features.FEATURE_SETS[name] for name in names]
    return [
        FeatureConfig(
            name=fs.name,
            feature_set=fs.name,
            description=f"{fs.description} ({fs.dim}{' per frame' if fs.frame_level else ''})",
        )
        for fs in sets
    ]


@dataclasses.dataclass
class SchemeConfig(FeatureConfig):
    """Builder config = feature set x label scheme, plus the 3-bin thresholds of 1-5 ratings.

    A consensus rating ``r`` (mean of 1-5 ratings) is ``low`` if ``r <= low_max``, ``mid`` if
    ``low_max < r <= mid_max`` and ``high`` above; the defaults 2.5 / 3.5 put the means of
    {1, 2} ratings in low, of {3} in mid and of {4, 5} in high (ties of two neighbouring
    classes go to the lower bin).
    """

    label_scheme: str = ""
    low_max: float = 2.5
    mid_max: float = 3.5


def scheme_configs(schemes: Mapping[str, str], default: tuple[str, str] = ("is10", "four_class")) -> list[SchemeConfig]:
    """One :class:`SchemeConfig` per feature set x label scheme, named ``<set>_<scheme>``.

    Args:
        schemes: label scheme name to a one-line description.
        default: ``(feature set, scheme)`` of the first config (TFDS's default).
    """
    pairs = [(fs, scheme) for fs in features.FEATURE_SETS for scheme in schemes]
    pairs.remove(default)
    configs = []
    for fs_name, scheme in [default, *pairs]:
        fs = features.FEATURE_SETS[fs_name]
        configs.append(
            SchemeConfig(
                name=f"{fs_name}_{scheme}",
                feature_set=fs_name,
                label_scheme=scheme,
                description=f"{fs.description} ({fs.dim}{' per frame' if fs.frame_level else ''}); "
                f"labels: {schemes[scheme]}",
            )
        )
    return configs


ATTRIBUTE_BINS = ("low", "mid", "high")


def attribute_bin(value: float, low_max: float, mid_max: float) -> int:
    """Index in :data:`ATTRIBUTE_BINS` of a consensus rating, -1 (no label) if it is NaN."""
    if math.isnan(value):
        return -1
    return 0 if value <= low_max else 1 if value <= mid_max else 2


class FeatureCorpusBuilder(tfds.core.GeneratorBasedBuilder, skip_registration=True):
    """Base of serzoo's corpus builders; subclasses set the class-level fields and ``_utterances``."""

    CLASS_NAMES: tuple[str, ...] = ()
    GROUPS: tuple[str, ...] = ()
    SPLIT_PREFIX = "speaker"
    CORPUS_DESCRIPTION = ""
    HOMEPAGE = ""
    #: the expected folder layout, appended to layout errors (empty for generated corpora)
    LAYOUT = ""
    #: identical audio under two names stops the build where the copy can simply lose one file (EmoDB: the
    #: release has none); where label files name both (IEMOCAP, MSP-IMPROV) it is a warning, as removing
    #: one would break the build
    DUPLICATE_AUDIO_IS_ERROR = True
    #: identical audio that the official release itself holds, kept with a warning whatever
    #: ``DUPLICATE_AUDIO_IS_ERROR`` says: the file stems of each group -> why both are kept (RAVDESS)
    RELEASED_DUPLICATES: Mapping[frozenset[str], str] = {}
    #: the channel of multi-channel recordings that is read (:func:`serzoo.audio.read_audio`): ``None`` mixes
    #: them down, right where the channels are copies of one signal; an index takes that channel alone, where
    #: they are different microphones and their mean is a comb filter (EMOVO)
    AUDIO_CHANNEL: int | None = None
    #: set per build by :meth:`_download_and_prepare`: extract in Beam's workers instead of a local process pool
    _beam = False

    # Each builder's folder (README, CITATIONS, checksums, dummy data) is the one its module file is in. TFDS derives
    # it from the module name, ``serzoo.tfds_builders.<corpus>``, but in a clone or an editable install that folder
    # is the top-level ``tfds_builders/<corpus>`` (setup.py).
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.pkg_dir_path = epath.Path(inspect.getfile(cls)).parent

    @tfds.core.utils.classproperty
    @classmethod
    def code_path(cls) -> epath.Path:
        return epath.Path(inspect.getfile(cls))

    def _utterances(self, dl_manager) -> list[Utterance]:
        raise NotImplementedError

    def _class_names(self) -> tuple[str, ...]:
        """Names of the ``label`` ClassLabel; override when they depend on the config."""
        return self.CLASS_NAMES

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        """Per-example features beyond the common ones; values come from ``Utterance.extra``."""
        return {}

    def _metadata(self) -> tfds.core.Metadata:
        """Metadata stored with the dataset: the source fingerprint (:meth:`_record_source`), skipped files..."""
        return tfds.core.MetadataDict()

    def _required_manual_dir(self, dl_manager) -> epath.Path:
        """``dl_manager.manual_dir`` of a corpus that serzoo never downloads.

        Raises:
            FileNotFoundError: no manual dir was given, or it is empty (TFDS's assertion, with the instructions).
        """
        try:
            return epath.Path(dl_manager.manual_dir)
        except AssertionError as err:
            raise FileNotFoundError(
                f"{self.name}: {str(err).splitlines()[0]}\n{self.MANUAL_DOWNLOAD_INSTRUCTIONS}\n{self.LAYOUT}"
            ) from err

    def _record_source(self, dl_manager) -> None:
        """Record :func:`serzoo.fingerprint.source_fingerprint` of the manual dir in ``info.metadata["source"]``
        (``None`` without one: generated or downloaded corpora), which :func:`serzoo.data.prepare_builder`
        compares with the manual dir of a later run."""
        manual_dir = None
        if getattr(self, "MANUAL_DOWNLOAD_INSTRUCTIONS", None):  # builders without one (synth_emo) take none
            try:
                manual_dir = dl_manager.manual_dir
            except (AssertionError, ValueError):  # no manual dir given (TFDS asserts)
                manual_dir = None
        self.info.metadata["source"] = fingerprint.source_fingerprint(manual_dir) if manual_dir else None

    def _info(self) -> tfds.core.DatasetInfo:
        fs = features.get_feature_set(self.builder_config.feature_set)
        shape = (None, fs.dim) if fs.frame_level else (fs.dim,)
        common = {
            "features": tfds.features.Tensor(shape=shape, dtype=np.float32),
            "label": tfds.features.ClassLabel(names=list(self._class_names())),
            "speaker": tfds.features.Text(),
            "gender": tfds.features.ClassLabel(names=["female", "male"]),
            "text": tfds.features.Text(),
            "utterance_id": tfds.features.Text(),
        }
        extra = self._extra_features()
        clash = sorted(set(common) & set(extra))
        if clash:
            raise ValueError(f"{type(self).__name__}._extra_features redefines common feature(s) {clash}")
        return self.dataset_info_from_configs(
            description=self.CORPUS_DESCRIPTION,
            features=tfds.features.FeaturesDict({**common, **extra}),
            supervised_keys=("features", "label"),
            homepage=self.HOMEPAGE,
            metadata=self._metadata(),
        )

    @classmethod
    def group_splits(cls) -> list[str]:
        """Names of the per-group splits, in order (``speaker03``, ...)."""
        return [f"{cls.SPLIT_PREFIX}{g}" for g in cls.GROUPS]

    def _download_and_prepare(self, dl_manager, download_config):
        """Decide local or Beam build (:meth:`_beam_requested`), then TFDS's build; a Beam worker's audio error
        comes back as the :class:`serzoo.audio.AudioFileError` of the local path."""
        self._beam = self._beam_requested(download_config)
        if not self._beam:
            return super()._download_and_prepare(dl_manager, download_config)
        from serzoo.tfds_builders import beam_examples

        try:
            return super()._download_and_prepare(dl_manager, download_config)
        except Exception as err:
            original = beam_examples.original_error(err)
            if original is err:
                raise
            raise original from err
        finally:
            beam_examples.close_pool()  # the openSMILE child of in-process workers (in_memory, multi_threading)

    @staticmethod
    def _beam_requested(download_config) -> bool:
        """Whether this build runs on Beam: TFDS's ``beam_runner`` / ``beam_options`` (``tfds build
        --beam_pipeline_options``) or serzoo's :func:`serzoo.beam_options.requested` (``serzoo build --beam``),
        whose options are checked (:func:`serzoo.beam_options.check`); options that ``tfds build`` dropped
        because ``apache_beam`` is missing stop the build instead of building locally."""
        if download_config.beam_options is None and download_config.beam_runner is None:
            download_config.beam_options = beam_options.current()
        if download_config.beam_options is not None:
            beam_options.check(download_config.beam_options)
            return True
        if download_config.beam_runner is not None:
            return True
        dropped = beam_options.dropped_by_tfds_cli()
        if dropped is not None:
            raise ImportError(
                f"--beam_pipeline_options={dropped} was given but tfds dropped it: apache_beam cannot be imported; "
                f"{beam_options.INSTALL_HINT}"
            )
        return False

    def _split_generators(self, dl_manager):
        self._record_source(dl_manager)
        utterances = self._utterances(dl_manager)
        by_group = {g: [u for u in utterances if u.group == g] for g in self.GROUPS}
        empty = [f"{self.SPLIT_PREFIX}{g}" for g, items in by_group.items() if not items]
        if empty:
            raise ValueError(
                f"{self.name}: empty split(s) {', '.join(empty)}: no recording of that "
                f"{self.SPLIT_PREFIX} was found. {self.LAYOUT}"
            )
        self._check_duplicate_audio(utterances)
        rows = {f"{self.SPLIT_PREFIX}{g}": self._rows(items) for g, items in by_group.items()}
        feature_set, cache_dir = self.builder_config.feature_set, features.default_cache_dir()
        if self._beam:
            from serzoo.tfds_builders import beam_examples

            return {
                split: beam_examples.split_examples(r, feature_set, cache_dir, self.AUDIO_CHANNEL)
                for split, r in rows.items()
            }
        result = features.extract_many(
            [u.path for u in utterances], feature_set, cache_dir=cache_dir, channel=self.AUDIO_CHANNEL
        )
        values = dict(zip((u.utterance_id for u in utterances), result.features))
        return {split: self._generate_examples(r, values) for split, r in rows.items()}

    @classmethod
    def released_duplicates(cls, groups) -> tuple[list, list]:
        """``(released, others)``: the groups of :func:`serzoo.audio.duplicate_groups` that are
        :attr:`RELEASED_DUPLICATES` (matched by file stems), and the other groups."""
        released = [g for g in groups if frozenset(pathlib.PurePath(p).stem for p in g) in cls.RELEASED_DUPLICATES]
        return released, [g for g in groups if g not in released]

    @classmethod
    def released_reason(cls, group) -> str:
        """Why the release's duplicate ``group`` (one of :meth:`released_duplicates`) is kept."""
        return cls.RELEASED_DUPLICATES[frozenset(pathlib.PurePath(p).stem for p in group)]

    def _check_duplicate_audio(self, utterances) -> None:
        released, groups = self.released_duplicates(audio.duplicate_groups([u.path for u in utterances]))
        logger = logging.getLogger(type(self).__module__)
        for group in released:
            logger.warning(
                "%s: %s hold identical audio, as in the official release; both are kept: %s",
                self.name,
                " and ".join(str(p) for p in group),
                self.released_reason(group),
            )
        if not groups:
            return
        message = f"{self.name}: {audio.duplicates_message(groups)}\n"
        if self.DUPLICATE_AUDIO_IS_ERROR:
            raise ValueError(message + "Keep one file of each group (the one whose name is right), remove the others.")
        logger.warning(message + "Both are kept (the label files name them); tell the corpus's maintainers.")

    def _rows(self, utterances) -> list[tuple[str, epath.Path, dict]]:
        """``(key, audio path, example without its features)`` of each utterance: what the local and the Beam
        path share (checked here, in the launching process)."""
        extra_keys = set(self._extra_features())
        rows = []
        for u in utterances:
            if set(u.extra) != extra_keys:
                raise ValueError(
                    f"{u.utterance_id}: extra fields {sorted(u.extra)} differ from the builder's "
                    f"_extra_features() {sorted(extra_keys)}"
                )
            fields = {
                **u.extra,
                "label": u.label,
                "speaker": u.speaker,
                "gender": u.gender,
                "text": u.text,
                "utterance_id": u.utterance_id,
            }
            rows.append((u.utterance_id, u.path, fields))
        return rows

    def _generate_examples(self, rows, values):
        """The local path: ``rows`` of :meth:`_rows` with their features from ``values`` (by key)."""
        for key, _, fields in rows:
            yield key, {**fields, "features": values[key]}


def check_scheme(corpus: str, scheme: str, scheme_classes: Mapping[str, tuple[str, ...]]) -> None:
    """Raise a ``ValueError`` naming the choices unless ``scheme`` is a label scheme of ``corpus``."""
    if scheme not in scheme_classes:
        raise ValueError(f"unknown {corpus} label scheme {scheme!r}; choose one of {', '.join(scheme_classes)}")


def scheme_class_names(config: SchemeConfig, scheme_classes, corpus: str) -> tuple[str, ...]:
    """Class names of a :class:`SchemeConfig`, after checking its scheme and thresholds."""
    check_scheme(corpus, config.label_scheme, scheme_classes)
    if not config.low_max < config.mid_max:
        raise ValueError(f"config {config.name}: low_max ({config.low_max}) must be below mid_max ({config.mid_max})")
    return tuple(scheme_classes[config.label_scheme])


def class_counts(names: Iterable[str | None], classes: Iterable[str]) -> dict[str, int]:
    """Occurrences of each of ``classes`` (in that order) among ``names``; ``None`` (left out) is skipped."""
    counts = dict.fromkeys(classes, 0)
    for name in names:
        if name is not None:
            counts[name] += 1
    return counts


#: the consensus ratings of a rated corpus, in the order of their features
RATINGS = ("valence", "activation", "dominance")


def attribute_bins(record, config: SchemeConfig) -> dict[str, int]:
    """``{valence_class: ..., ...}``: :func:`attribute_bin` of a record's consensus ratings."""
    return {f"{key}_class": attribute_bin(getattr(record, key), config.low_max, config.mid_max) for key in RATINGS}


def attribute_features(float_docs) -> dict:
    """One float ``Scalar`` per ``(name, doc)`` plus 3-bin ``ClassLabel`` s of valence/activation/dominance."""
    bins = {f"{k}_class": tfds.features.ClassLabel(names=list(ATTRIBUTE_BINS)) for k in RATINGS}
    floats = {k: tfds.features.Scalar(dtype=np.float32, doc=doc) for k, doc in float_docs}
    return {**floats, **bins}


def rated_utterance(
    record, *, name, path, label: str | None, text: str, config: SchemeConfig, extra: Mapping[str, Any]
) -> Utterance:
    """The :class:`Utterance` of a rated session corpus's labelled record.

    Args:
        record: has ``utterance_id``, ``code`` and the :data:`RATINGS` (consensus floats).
        name: the parsed id; has ``speaker``, ``gender`` and ``session`` (the split group).
        label: the class under ``config.label_scheme`` (``None``: the scheme leaves it out).
        extra: the corpus's own extra fields; ``session``, ``emotion_code``, the ratings and
            their ``*_class`` bins (per ``config``'s thresholds) are added here.
    """
    return Utterance(
        utterance_id=record.utterance_id,
        path=path,
        label=label,
        speaker=name.speaker,
        gender=name.gender,
        text=text,
        group=str(name.session),
        extra={
            "session": name.session,
            "emotion_code": record.code,
            **{key: getattr(record, key) for key in RATINGS},
            **attribute_bins(record, config),
            **extra,
        },
    )


class RatedSessionBuilder(FeatureCorpusBuilder, skip_registration=True):
    """Base of the dyadic session corpora (IEMOCAP, MSP-IMPROV): configs = feature set x label scheme.

    A subclass sets :attr:`CORPUS`, :attr:`SCHEME_CLASSES`, :attr:`ITEM`, :attr:`WAV_FOLDER`,
    :attr:`UNLABELLED` and implements :meth:`_scan` (labels joined to WAVs by id) and
    :meth:`_make_utterance`. A labelled record without its WAV stops the build; a WAV without
    a label is skipped, logged as a warning on the subclass module's logger and listed in
    ``info.metadata["skipped_wavs"]`` (paths relative to the corpus root).
    """

    SPLIT_PREFIX = "session"
    CORPUS = ""  # display name in messages, e.g. "IEMOCAP"
    SCHEME_CLASSES: Mapping[str, tuple[str, ...]] = {}
    ITEM = "utterance"  # what a label names: "utterance" (IEMOCAP) or "clip" (MSP-IMPROV)
    WAV_FOLDER = ""  # where a labelled item's WAV is looked for, for the missing-WAV error
    UNLABELLED = ""  # what an unlabelled WAV lacks, e.g. "a label in <file>"
    DUPLICATE_AUDIO_IS_ERROR = False

    def _scan(self, manual_dir):
        """The corpus scan: ``root``, ``labels``, ``wavs`` (id -> path), ``missing_wavs``, ``unlabelled_wavs``."""
        raise NotImplementedError

    def _make_utterance(self, record, scan) -> Utterance:
        raise NotImplementedError

    def _unlabelled_reason(self, scan) -> str:
        return self.UNLABELLED

    def _class_names(self) -> tuple[str, ...]:
        return scheme_class_names(self.builder_config, self.SCHEME_CLASSES, self.CORPUS)

    def _utterances(self, dl_manager) -> list[Utterance]:
        scan = self._scan(dl_manager.manual_dir)
        if scan.missing_wavs:
            listed = "\n  ".join(f"{r.utterance_id} (labelled at {r.source})" for r in scan.missing_wavs[:20])
            raise FileNotFoundError(
                f"{self.CORPUS}: {len(scan.missing_wavs)} labelled {self.ITEM}(s) have no WAV under "
                f"{self.WAV_FOLDER}:\n  {listed}\nRestore the missing files from the release. {self.LAYOUT}"
            )
        skipped = sorted(str(p.relative_to(scan.root)) for p in scan.unlabelled_wavs)
        if skipped:
            logging.getLogger(type(self).__module__).warning(
                "%s: skipping %d WAV file(s) without %s (restore the label file if they belong to the "
                "corpus, else remove them); listed in info.metadata['skipped_wavs']:\n  %s",
                self.CORPUS,
                len(skipped),
                self._unlabelled_reason(scan),
                "\n  ".join(skipped),
            )
        self.info.metadata["skipped_wavs"] = skipped
        self.info.metadata["num_skipped_wavs"] = len(skipped)
        utterances = (self._make_utterance(record, scan) for record in scan.labels)
        return [u for u in utterances if u.label is not None]


def folder_root(manual_dir: epath.PathLike, folders: Iterable[str], release_folder: str) -> epath.Path | None:
    """Where a corpus stored as one folder per speaker lies: ``manual_dir`` if it holds one of ``folders``, else
    ``manual_dir/release_folder`` (the folder an unzip tool may add) if that does, else None."""
    manual_dir, folders = epath.Path(manual_dir), tuple(folders)
    for candidate in (manual_dir, manual_dir / release_folder):
        if any((candidate / name).is_dir() for name in folders):
            return candidate
    return None


@dataclasses.dataclass
class FolderScan:
    """The recordings found by :func:`scan_folders`.

    Attributes:
        root: the folder holding the speaker folders.
        utterances: one per accepted file, in folder and name order.
        missing: a message per speaker folder that does not exist.
        problems: a message per file the build refuses, naming the file and the fix.
    """

    root: epath.Path
    utterances: list[Utterance]
    missing: list[str]
    problems: list[str]

    def checked(self, corpus: str, layout: str) -> list[Utterance]:
        """The utterances, if nothing is missing and no file is refused.

        Raises:
            FileNotFoundError: speaker folders are missing (all named).
            ValueError: files are refused (the first 20 named).
        """
        if self.missing:
            raise FileNotFoundError(
                f"{corpus}: {len(self.missing)} speaker folder(s) missing:\n  "
                + "\n  ".join(self.missing)
                + f"\n{layout}"
            )
        if self.problems:
            listed = "\n  ".join(self.problems[:20])
            more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            raise ValueError(f"{corpus}: {len(self.problems)} file(s) refused:\n  {listed}{more}\n{layout}")
        return self.utterances


def scan_folders(
    root: epath.Path,
    folders: Mapping[str, str],
    parse: Callable[[epath.Path], Utterance],
    suffixes: Iterable[str] = (".wav",),
) -> FolderScan:
    """``parse(path)`` of every file in each speaker's folder whose suffix (any case) is one of ``suffixes``.

    Args:
        root: the folder holding the speaker folders.
        folders: split group -> its folder's name under ``root`` (``{"01": "Actor_01", ...}``).
        parse: the corpus's file-name parser; its ``ValueError`` s become problems.

    A file whose name gives another group than its folder's, or a second file of one utterance (``x.wav`` and
    ``x.WAV``), is a problem too; files with other suffixes and other folders are not read.
    """
    suffixes = tuple(s.lower() for s in suffixes)
    utterances, missing, problems, seen = [], [], [], {}
    for group, name in folders.items():
        folder = epath.Path(root) / name
        if not folder.is_dir():
            missing.append(f"{folder} does not exist (the split of speaker {group} would be empty)")
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in suffixes):
            try:
                utterance = parse(path)
            except ValueError as err:
                problems.append(str(err))
                continue
            if utterance.group != group:
                problems.append(
                    f"{path}: its name gives speaker {utterance.speaker}, but it lies in {name}/, the folder of "
                    f"speaker {group}; move it to its speaker's folder"
                )
            elif utterance.utterance_id in seen:
                problems.append(
                    f"{seen[utterance.utterance_id]} and {path.name} are both utterance {utterance.utterance_id} "
                    "(their names differ only in the case of the suffix); remove one of them"
                )
            else:
                seen[utterance.utterance_id] = path
                utterances.append(utterance)
    return FolderScan(epath.Path(root), utterances, missing, problems)
