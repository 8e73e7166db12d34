"""Sample from an exported generator with TensorFlow alone (used by ``serzoo demo`` in a fresh process).

Usage: ``python -m serzoo.sample_export EXPORT_DIR LABELS.npy SEED OUT.npy`` — writes the
generated features (original openSMILE scale) for the labels in ``LABELS.npy``.
"""

import sys


def main(argv=None) -> int:
    import numpy as np
    import tensorflow as tf

    export_dir, labels_file, seed, out_file = argv or sys.argv[1:]
    generator = tf.saved_model.load(export_dir)
    labels = tf.constant(np.load(labels_file).astype("int32"))
    features = generator.generate(labels=labels, seed=tf.constant(int(seed), tf.int64))["features"]
    np.save(out_file, features.numpy())
    return 0


if __name__ == "__main__":
    sys.exit(main())
