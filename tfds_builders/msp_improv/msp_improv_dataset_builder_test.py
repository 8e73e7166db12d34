"""TFDS builder tests of MSP-IMPROV on the synthetic, format-faithful dummy data (30 clips)."""

import tensorflow_datasets as tfds

from tfds_builders.msp_improv import msp_improv_dataset_builder


class MspImprovFourClassTest(tfds.testing.DatasetBuilderTestCase):
    """Consensus A/H/S/N only: 25 of the 30 dummy clips."""

    DATASET_CLASS = msp_improv_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_four_class"]
    SPLITS = {"session1": 4, "session2": 4, "session3": 4, "session4": 4, "session5": 4, "session6": 5}
    SKIP_CHECKSUMS = True  # manual download only


class MspImprovAllTest(tfds.testing.DatasetBuilderTestCase):
    """Every clip with a consensus line (codes O and X included): 5 per session."""

    DATASET_CLASS = msp_improv_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps_all"]
    SPLITS = {f"session{s}": 5 for s in msp_improv_dataset_builder.SESSIONS}
    SKIP_CHECKSUMS = True


if __name__ == "__main__":
    tfds.testing.test_main()
