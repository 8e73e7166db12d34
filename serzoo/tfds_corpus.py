"""Shared TFDS machinery for openSMILE feature corpora.

A corpus builder lists its utterances (:class:`Utterance`); this base class extracts the
configured openSMILE feature set for all of them in parallel (cached, so an interrupted build
resumes without re-extracting), and writes one split per group (speaker or session), so that
leave-one-group-out folds are split arithmetic (``speaker03+speaker08``).
"""

from __future__ import annotations

import dataclasses

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

    def _info(self) -> tfds.core.DatasetInfo:
        fs = features.get_feature_set(self.builder_config.feature_set)
        shape = (None, fs.dim) if fs.frame_level else (fs.dim,)
        return self.dataset_info_from_configs(
            description=self.CORPUS_DESCRIPTION,
            features=tfds.features.FeaturesDict({
                "features": tfds.features.Tensor(shape=shape, dtype=np.float32),
                "label": tfds.features.ClassLabel(names=list(self.CLASS_NAMES)),
                "speaker": tfds.features.Text(),
                "gender": tfds.features.ClassLabel(names=["female", "male"]),
                "text": tfds.features.Text(),
                "utterance_id": tfds.features.Text(),
            }),
            supervised_keys=("features", "label"),
            homepage=self.HOMEPAGE,
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
        for u in utterances:
            yield u.utterance_id, {
                "features": values[u.utterance_id],
                "label": u.label,
                "speaker": u.speaker,
                "gender": u.gender,
                "text": u.text,
                "utterance_id": u.utterance_id,
            }
