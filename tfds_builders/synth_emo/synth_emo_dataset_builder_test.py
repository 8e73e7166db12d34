"""TFDS builder test of the embedded synthetic corpus (generated, then openSMILE eGeMAPS)."""

import pytest
import tensorflow_datasets as tfds

from serzoo.tfds_builders.synth_emo import synth_emo_dataset_builder


@pytest.mark.slow
class SynthEmoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = synth_emo_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["egemaps"]
    SPLITS = {split: 28 for split in synth_emo_dataset_builder.Builder.group_splits()}


def test_scaled_builder_has_its_own_name_speakers_and_wavs(tmp_path):
    scaled = synth_emo_dataset_builder.Builder.scaled(n_speakers=2, utterances_per_emotion=1)
    builder = scaled(config="egemaps", data_dir=tmp_path)
    builder.download_and_prepare()
    assert builder.name == "synth_emo_2x1"
    assert {s: builder.info.splits[s].num_examples for s in scaled.group_splits()} == {"speaker01": 7, "speaker02": 7}
    assert builder.wav_folder().name.endswith("-2x1")
    assert synth_emo_dataset_builder.Builder.N_SPEAKERS == 10  # the registered corpus is unchanged


if __name__ == "__main__":
    tfds.testing.test_main()
