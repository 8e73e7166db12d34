"""EMOVO (Italian emotional speech) as openSMILE features."""

from serzoo.tfds_builders.emovo.emovo_dataset_builder import Builder

__all__ = ["Builder"]
