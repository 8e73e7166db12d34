"""EmoDB (Berlin Database of Emotional Speech) as openSMILE features."""

from serzoo.tfds_builders.emodb.emodb_dataset_builder import Builder

__all__ = ["Builder"]
