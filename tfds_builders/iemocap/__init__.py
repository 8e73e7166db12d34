"""IEMOCAP (Interactive Emotional Dyadic Motion Capture database) as openSMILE features."""

from serzoo.tfds_builders.iemocap.iemocap_dataset_builder import Builder

__all__ = ["Builder"]
