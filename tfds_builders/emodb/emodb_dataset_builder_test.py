"""TFDS builder test of EmoDB on synthetic dummy data (two stand-in files per speaker)."""

import tensorflow_datasets as tfds

from tfds_builders.emodb import emodb_dataset_builder


class EmodbTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emodb_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps", "compare_lld"]
    SPLITS = {f"speaker{s}": 2 for s in emodb_dataset_builder.SPEAKERS}
    SKIP_CHECKSUMS = True  # the archive URL's checksum cannot be registered offline


if __name__ == "__main__":
    tfds.testing.test_main()
