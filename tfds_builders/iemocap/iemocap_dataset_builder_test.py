"""TFDS builder tests of IEMOCAP on the synthetic, format-faithful dummy data (50 utterances)."""

import tensorflow_datasets as tfds

from tfds_builders.iemocap import iemocap_dataset_builder


class IemocapFourClassTest(tfds.testing.DatasetBuilderTestCase):
    """ang/hap/sad/neu only: 27 of the 50 dummy utterances."""

    DATASET_CLASS = iemocap_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_four_class"]
    SPLITS = {"session1": 5, "session2": 5, "session3": 5, "session4": 6, "session5": 6}
    SKIP_CHECKSUMS = True  # manual download only


class IemocapAllTest(tfds.testing.DatasetBuilderTestCase):
    """Every utterance, 11 codes incl. xxx: 10 per session."""

    DATASET_CLASS = iemocap_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_all"]
    SPLITS = {f"session{s}": 10 for s in iemocap_dataset_builder.SESSIONS}
    SKIP_CHECKSUMS = True


if __name__ == "__main__":
    tfds.testing.test_main()
