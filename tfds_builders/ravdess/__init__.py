"""RAVDESS (speech audio) as openSMILE features."""

from serzoo.tfds_builders.ravdess.ravdess_dataset_builder import Builder

__all__ = ["Builder"]
