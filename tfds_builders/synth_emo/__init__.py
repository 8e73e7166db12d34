"""synth_emo: serzoo's embedded, procedurally synthesised acted-emotion corpus."""

from serzoo.tfds_builders.synth_emo.synth_emo_dataset_builder import Builder

__all__ = ["Builder"]
