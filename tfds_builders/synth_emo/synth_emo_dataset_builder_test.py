"""TFDS builder test of the embedded synthetic corpus (generated, then openSMILE eGeMAPS)."""

import tensorflow_datasets as tfds

from serzoo.tfds_builders.synth_emo import synth_emo_dataset_builder


class SynthEmoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = synth_emo_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps"]
    SPLITS = {split: 28 for split in synth_emo_dataset_builder.Builder.group_splits()}


if __name__ == "__main__":
    tfds.testing.test_main()
