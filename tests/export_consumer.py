"""Run in a separate process: use an exported generator with TensorFlow only (no serzoo import).

Usage: python export_consumer.py EXPORT_DIR REAL_STATS.npz OUT.json
"""

import json
import sys

import numpy as np
import tensorflow as tf


def main(export_dir, stats_file, out_file):
    manifest = json.load(open(f"{export_dir}/manifest.json"))
    model = tf.saved_model.load(export_dir)
    n_classes, dim = len(manifest["class_names"]), manifest["feature_dim"]
    labels = tf.constant(np.arange(200) % n_classes, tf.int32)
    first = model.generate(labels=labels, seed=tf.constant(7, tf.int64))["features"].numpy()
    again = model.generate(labels=labels, seed=tf.constant(7, tf.int64))["features"].numpy()
    other = model.generate(labels=labels, seed=tf.constant(8, tf.int64))["features"].numpy()
    one_class = model.sample(class_id=tf.constant(2), n=tf.constant(5), seed=tf.constant(1, tf.int64))["features"]
    serving = model.signatures["serving_default"](labels=labels, seed=tf.constant(7, tf.int64))["features"].numpy()
    codes = model.encode(features=tf.constant(first[:10]))["codes"].numpy()
    single = model.generate_labels(labels).numpy()
    errors = {}
    seed0 = tf.constant(0, tf.int64)
    for name, call in {
        "label_too_big": lambda: model.generate(labels=tf.constant([0, n_classes], tf.int32), seed=seed0),
        "negative_label": lambda: model.generate(labels=tf.constant([-1], tf.int32), seed=seed0),
        "negative_n": lambda: model.sample(class_id=tf.constant(0), n=tf.constant(-3), seed=seed0),
    }.items():
        try:
            call()
            errors[name] = None
        except tf.errors.InvalidArgumentError as err:
            errors[name] = err.message
    stats = np.load(stats_file)
    json.dump(
        {
            "serzoo_imported": "serzoo" in sys.modules,
            "shape": list(first.shape),
            "dtype": str(first.dtype),
            "dim": dim,
            "deterministic": bool(np.array_equal(first, again)),
            "seed_changes_output": not np.allclose(first, other),
            "serving_equals_generate": bool(np.allclose(serving, first)),
            "sample_shape": list(one_class.shape),
            "codes_shape": list(codes.shape),
            "single_shape": list(single.shape),
            "finite": bool(np.isfinite(first).all()),
            "mean_correlation": float(np.corrcoef(first.mean(0), stats["mean"])[0, 1]),
            "median_mean_error_in_std": float(np.median(np.abs(first.mean(0) - stats["mean"]) / (stats["std"] + 1e-9))),
            "errors": errors,
        },
        open(out_file, "w"),
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
