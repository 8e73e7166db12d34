"""Export a trained generator as a self-contained TensorFlow SavedModel plus ``manifest.json``.

The SavedModel needs neither serzoo nor Keras to run (``tf.saved_model.load`` is enough):

- ``generate(labels: int32[N], seed: int64[]) -> float32[N, D]`` — features in the ORIGINAL
  openSMILE scale: the fold's z-normalisation is inverted and the dropped zero-variance features
  are put back (as their constant training value) inside the graph; deterministic for a seed;
- ``sample(class_id: int32[], n: int32[], seed: int64[]) -> float32[n, D]`` — one class;
- ``encode(features: float32[N, D]) -> float32[N, latent]`` — schemes with an encoder (ADAN);
- ``generate_labels(labels: int32[N])`` — single input (seed 0), for ``keras.layers.TFSMLayer``;
- ``serving_default`` = ``generate`` for TF Serving.

Invalid input (a label outside ``0..C-1``, negative ``n``) fails with ``InvalidArgumentError``
naming the problem. The export is written to a temporary folder and renamed into place, so an
interrupted export never leaves a half-written version.
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shutil
import tempfile

import numpy as np

MANIFEST = "manifest.json"
MANIFEST_FIELDS = ("format", "scheme", "dataset", "feature_set", "feature_dim", "class_names", "endpoints")
FORMAT = "serzoo-generator/1"


def _module(scheme, normalizer, original_dim: int):
    """A ``tf.Module`` with the sampling signatures around a trained scheme's sub-networks."""
    import tensorflow as tf

    keep = np.flatnonzero(normalizer.keep)
    dropped = np.flatnonzero(~normalizer.keep)
    # features = gather(concat([kept values, dropped constants]), source) restores the original order
    source = np.empty(original_dim, np.int32)
    source[keep] = np.arange(keep.size)
    source[dropped] = keep.size + np.arange(dropped.size)
    n_classes, noise_dim = scheme.n_classes, scheme.noise_dim
    has_encoder = hasattr(scheme, "encode")

    class GeneratorModule(tf.Module):
        def __init__(self):
            super().__init__(name="serzoo_generator")
            self.networks = {name: getattr(scheme, name) for name in scheme.NETWORKS}
            self.mean = tf.constant(normalizer.mean, tf.float32)
            self.std = tf.constant(normalizer.std, tf.float32)
            self.dropped_values = tf.constant(normalizer.dropped_values, tf.float32)
            self.source = tf.constant(source)
            self.keep = tf.constant(keep.astype(np.int32))

        def _synthesize(self, labels, seed):
            message = f"labels must lie in 0..{n_classes - 1}"
            with tf.control_dependencies([tf.debugging.assert_greater_equal(labels, 0, message=message),
                                          tf.debugging.assert_less(labels, n_classes, message=message)]):
                labels = tf.identity(labels)
            seed_pair = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            noise = tf.random.stateless_normal([tf.shape(labels)[0], noise_dim], seed=seed_pair)
            z = tf.cast(scheme.synthesize(noise, labels), tf.float32)
            kept = z * self.std + self.mean
            constants = tf.tile(self.dropped_values[None, :], [tf.shape(kept)[0], 1])
            return tf.gather(tf.concat([kept, constants], axis=1), self.source, axis=1)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="labels"),
                                      tf.TensorSpec([], tf.int64, name="seed")])
        def generate(self, labels, seed):
            return {"features": self._synthesize(labels, seed)}

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32, name="class_id"),
                                      tf.TensorSpec([], tf.int32, name="n"),
                                      tf.TensorSpec([], tf.int64, name="seed")])
        def sample(self, class_id, n, seed):
            with tf.control_dependencies([tf.debugging.assert_non_negative(n, message="n must be >= 0")]):
                n = tf.identity(n)
            return {"features": self._synthesize(tf.fill([n], class_id), seed)}

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="labels")])
        def generate_labels(self, labels):
            return self._synthesize(labels, tf.constant(0, tf.int64))

        if has_encoder:
            @tf.function(input_signature=[tf.TensorSpec([None, original_dim], tf.float32, name="features")])
            def encode(self, features):
                kept = tf.gather(features, self.keep, axis=1)
                return {"codes": tf.cast(scheme.encode((kept - self.mean) / self.std), tf.float32)}

    return GeneratorModule()


def export_generator(
    scheme, normalizer, path, *, manifest: dict, overwrite: bool = False,
) -> pathlib.Path:
    """Write ``scheme`` (a trained :class:`~serzoo.models.scheme.AdversarialScheme`) to ``path``.

    Args:
        scheme: trained scheme with ``synthesize`` (and ``encode`` if it has an encoder).
        normalizer: the fold's fitted :class:`serzoo.data.Normalizer` (global statistics), with
            ``dropped_values`` set (see :func:`serzoo.data.Normalizer.fit`).
        path: target folder, conventionally ``exported/<name>/<version>``.
        manifest: dataset, feature set, feature names, class names, training groups, metrics...;
            merged with the fields written here (scheme config, versions, endpoints).
        overwrite: replace an existing export at ``path`` (default: refuse).
    """
    import keras
    import tensorflow as tf

    import serzoo

    path = pathlib.Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True (--overwrite) or a new version")
    if normalizer.mode != "global":
        raise ValueError("export needs a global normaliser (per-speaker statistics cannot be inverted)")
    original_dim = int(normalizer.keep.size)
    module = _module(scheme, normalizer, original_dim)
    endpoints = ["generate", "sample", "generate_labels", "serving_default"] + (
        ["encode"] if hasattr(scheme, "encode") else [])
    full_manifest = {
        "format": FORMAT,
        "scheme": type(scheme).__name__,
        "scheme_config": {k: v for k, v in scheme.get_config().items() if not isinstance(v, dict)},
        **manifest,
        "feature_dim": original_dim,
        "n_classes": scheme.n_classes,
        "noise_dim": scheme.noise_dim,
        "normalisation": {"keep": normalizer.keep.tolist(), "mean": normalizer.mean.tolist(),
                          "std": normalizer.std.tolist(), "dropped_values": normalizer.dropped_values.tolist()},
        "endpoints": endpoints,
        "versions": {"serzoo": serzoo.__version__, "tensorflow": tf.__version__, "keras": keras.__version__},
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if len(full_manifest.get("class_names", [])) != scheme.n_classes:
        raise ValueError(f"manifest class_names must list {scheme.n_classes} classes")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent))
    try:
        signatures = {"serving_default": module.generate, "generate": module.generate, "sample": module.sample}
        tf.saved_model.save(module, str(staging), signatures=signatures)
        (staging / MANIFEST).write_text(json.dumps(full_manifest, indent=2), encoding="utf-8")
        if path.exists():
            retired = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, retired)
            os.replace(staging, path)
            shutil.rmtree(retired)
        else:
            os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def read_manifest(path) -> dict:
    """The manifest of an exported generator, checked; errors name the file and the field."""
    file = pathlib.Path(path) / MANIFEST
    if not file.is_file():
        raise FileNotFoundError(f"{file} is missing: {path} is not a serzoo export (exported/<name>/<version>)")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{file} is not valid JSON ({err}); re-export the generator") from err
    missing = [f for f in MANIFEST_FIELDS if f not in manifest]
    if missing:
        raise ValueError(f"{file} lacks the field(s) {', '.join(missing)}; re-export the generator")
    if manifest["format"] != FORMAT:
        raise ValueError(f"{file}: format {manifest['format']!r} is not {FORMAT!r}; re-export with this serzoo")
    if len(manifest["class_names"]) != manifest.get("n_classes", len(manifest["class_names"])):
        raise ValueError(f"{file}: class_names and n_classes disagree; re-export the generator")
    return manifest
