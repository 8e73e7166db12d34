"""Run in a separate process: use exported semi-supervised AAE classifiers and a frame-level generator with
TensorFlow only (no serzoo import).

Usage: python classifier_consumer.py UTTERANCE_CLASSIFIER FRAME_CLASSIFIER FRAME_GENERATOR INPUTS.npz OUT.json
INPUTS.npz holds ``features`` [N, D] and ``sequence<i>`` [T_i, 65-like] arrays.
"""

import json
import sys

import numpy as np
import tensorflow as tf


def main(utterance_dir, frame_dir, generator_dir, inputs_file, out_file):
    inputs = np.load(inputs_file)
    utterance = tf.saved_model.load(utterance_dir)
    frame = tf.saved_model.load(frame_dir)
    generator = tf.saved_model.load(generator_dir)
    features = tf.constant(inputs["features"], tf.float32)
    probabilities = utterance.classify(features=features)["probabilities"].numpy()
    serving = utterance.signatures["serving_default"](features=features)["probabilities"].numpy()
    names = sorted((k for k in inputs.files if k.startswith("sequence")), key=lambda k: int(k[len("sequence") :]))
    frame_probabilities = [
        frame.classify(frames=tf.constant(inputs[k][None], tf.float32))["probabilities"].numpy()[0] for k in names
    ]
    labels = tf.constant([0, 2, 1], tf.int32)
    generated = generator.generate(labels=labels, seed=tf.constant(5, tf.int64), frames=tf.constant(21))["features"]
    again = generator.generate(labels=labels, seed=tf.constant(5, tf.int64), frames=tf.constant(21))["features"]
    one_class = generator.sample(
        class_id=tf.constant(1), n=tf.constant(4), seed=tf.constant(0, tf.int64), frames=tf.constant(5)
    )["features"]
    json.dump(
        {
            "serzoo_imported": "serzoo" in sys.modules,
            "probabilities": probabilities.tolist(),
            "serving_equals_classify": bool(np.allclose(serving, probabilities)),
            "frame_probabilities": [p.tolist() for p in frame_probabilities],
            "generated_shape": list(generated.shape),
            "deterministic": bool(np.array_equal(generated, again)),
            "sample_shape": list(one_class.shape),
            "finite": bool(np.isfinite(generated.numpy()).all()),
        },
        open(out_file, "w"),
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
