"""The one place where serzoo reaches its TFDS corpus builders (the top-level ``tfds_builders``).

Dependencies point one way: ``tfds_builders`` imports ``serzoo`` (features, emotions, the
synthesiser), and ``serzoo`` finds a builder only through this loader, by name, when it is
asked for one; importing serzoo (or this module) imports no builder and no TFDS.

Example:
    >>> builder_class("emodb")(config="is11").download_and_prepare()    # doctest: +SKIP
    >>> builder_module("iemocap").scan_corpus("/data/corpora")          # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: The corpora serzoo can load: folder names under ``tfds_builders/`` (and TFDS dataset names).
DATASETS = ("emodb", "synth_emo", "iemocap", "msp_improv", "ravdess", "emovo")


def _checked(name: str) -> str:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return name


def builder_module(name: str) -> ModuleType:
    """``tfds_builders.<name>.<name>_dataset_builder``: the builder and its pure parsing functions.

    Raises:
        ValueError: ``name`` is not one of :data:`DATASETS`.
    """
    return importlib.import_module(f"serzoo.tfds_builders.{_checked(name)}.{name}_dataset_builder")


def builder_class(name: str) -> type:
    """The TFDS builder class of a serzoo dataset (importing it registers it with TFDS).

    Raises:
        ValueError: ``name`` is not one of :data:`DATASETS`.
    """
    return builder_module(name).Builder
