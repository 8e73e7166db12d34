"""Shared TFDS machinery for openSMILE feature corpora.

A corpus builder lists its utterances (:class:`Utterance`); this base class extracts the
configured openSMILE feature set for all of them in parallel (cached, so an interrupted build
resumes without re-extracting), and writes one split per group (speaker or session), so that
leave-one-group-out folds are split arithmetic (``speaker03+speaker08``).

Corpora with more than a label per utterance (IEMOCAP: session, dialog, dimensional ratings...)
declare them with :meth:`FeatureCorpusBuilder._extra_features` and fill ``Utterance.extra``;
corpora with several label schemes use :class:`SchemeConfig` (feature set x label scheme).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from serzoo import features


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
            name=fs.name, feature_set=fs.name,
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


def scheme_configs(
    schemes: Mapping[str, str], default: tuple[str, str] = ("is10", "four_class")
) -> list[SchemeConfig]:
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
        configs.append(SchemeConfig(
            name=f"{fs_name}_{scheme}", feature_set=fs_name, label_scheme=scheme,
            description=f"{fs.description} ({fs.dim}{' per frame' if fs.frame_level else ''}); "
                        f"labels: {schemes[scheme]}",
        ))
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

    def _utterances(self, dl_manager) -> list[Utterance]:
        raise NotImplementedError

    def _layout_hint(self) -> str:
        return ""

    def _class_names(self) -> tuple[str, ...]:
        """Names of the ``label`` ClassLabel; override when they depend on the config."""
        return self.CLASS_NAMES

    def _extra_features(self) -> dict[str, tfds.features.FeatureConnector]:
        """Per-example features beyond the common ones; values come from ``Utterance.extra``."""
        return {}

    def _metadata(self) -> tfds.core.Metadata | None:
        """Metadata stored with the dataset (e.g. a ``tfds.core.MetadataDict`` of skipped files)."""
        return None

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

    def _split_generators(self, dl_manager):
        utterances = self._utterances(dl_manager)
        by_group = {g: [u for u in utterances if u.group == g] for g in self.GROUPS}
        empty = [f"{self.SPLIT_PREFIX}{g}" for g, items in by_group.items() if not items]
        if empty:
            raise ValueError(
                f"{self.name}: empty split(s) {', '.join(empty)}: no recording of that "
                f"{self.SPLIT_PREFIX} was found. {self._layout_hint()}"
            )
        result = features.extract_many(
            [u.path for u in utterances], self.builder_config.feature_set,
            cache_dir=features.default_cache_dir(),
        )
        values = dict(zip((u.utterance_id for u in utterances), result.features))
        return {
            f"{self.SPLIT_PREFIX}{g}": self._generate_examples(items, values)
            for g, items in by_group.items()
        }

    def _generate_examples(self, utterances, values):
        extra_keys = set(self._extra_features())
        for u in utterances:
            if set(u.extra) != extra_keys:
                raise ValueError(
                    f"{u.utterance_id}: extra fields {sorted(u.extra)} differ from the builder's "
                    f"_extra_features() {sorted(extra_keys)}"
                )
            yield u.utterance_id, {
                **u.extra,
                "features": values[u.utterance_id],
                "label": u.label,
                "speaker": u.speaker,
                "gender": u.gender,
                "text": u.text,
                "utterance_id": u.utterance_id,
            }


def scheme_class_names(config: SchemeConfig, scheme_classes, validate_scheme) -> tuple[str, ...]:
    """Class names of a :class:`SchemeConfig`; ``validate_scheme(name)`` raises on unknown schemes."""
    validate_scheme(config.label_scheme)
    if not config.low_max < config.mid_max:
        raise ValueError(
            f"config {config.name}: low_max ({config.low_max}) must be below mid_max ({config.mid_max})"
        )
    return tuple(scheme_classes[config.label_scheme])


def attribute_features(float_docs) -> dict:
    """One float ``Scalar`` per ``(name, doc)`` plus 3-bin ``ClassLabel`` s of valence/activation/dominance."""
    bins = {f"{k}_class": tfds.features.ClassLabel(names=list(ATTRIBUTE_BINS))
            for k in ("valence", "activation", "dominance")}
    floats = {k: tfds.features.Scalar(dtype=np.float32, doc=doc) for k, doc in float_docs}
    return {**floats, **bins}
