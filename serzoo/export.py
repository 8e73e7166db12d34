"""Export a trained generator as a self-contained TensorFlow SavedModel plus ``manifest.json``.

The SavedModel needs neither serzoo nor Keras to run (``tf.saved_model.load`` is enough):

- ``generate(labels: int32[N], seed: int64[]) -> float32[N, D]`` — features in the ORIGINAL
  openSMILE scale: the fold's z-normalisation is inverted and the dropped zero-variance features
  are put back (as their constant training value) inside the graph; deterministic for a seed;
- ``sample(class_id: int32[], n: int32[], seed: int64[]) -> float32[n, D]`` — one class;
- ``encode(features: float32[N, D]) -> float32[N, latent]`` — schemes with an encoder (ADAN);
- ``decode(codes: float32[N, latent]) -> float32[N, D]`` — the inverse of ``encode`` (ADAN/WADAN, AAE, M1-M3):
  latent interpolation with an exported generator (``Recipe.latent_interpolation``);
- ``generate_labels(labels: int32[N])`` — single input, for ``keras.layers.TFSMLayer``: fresh samples on every
  call (the n-th call of a loaded export draws with seed n - 1, from a counter saved in the SavedModel;
  ``serzoo-generator/3`` exports drew seed 0 on every call);
- ``serving_default`` = ``generate`` for TF Serving.

A frame-level generator (the Conv1D semi-supervised AAE; manifest field ``crop_frames``) returns LLD
sequences: ``generate(labels, seed, frames: int32[]) -> float32[N, frames, D]`` and ``sample(class_id, n, seed,
frames)``; ``generate_labels`` gives one crop, ``encode`` takes crops ``[N, crop_frames, D]``.

:func:`export_classifier` writes a trained emotion classifier ``q(y|x)`` (format ``serzoo-classifier/2``)
with one signature, ``classify`` (features or LLD frames in the original scale -> class probabilities).

Invalid input (a label outside ``0..C-1``, negative ``n``) fails with ``InvalidArgumentError``
naming the problem. The export is written to a temporary folder and renamed into place without
replacing anything (``renameat2(RENAME_NOREPLACE)``), so an interrupted export never leaves a
half-written version and of two exports racing to one target exactly one wins. The temporary folder
(``.<version>.partial-<pid>-*``) carries the exporting process's ID: one left by a killed export is removed
by the next export into the same folder.

An export is code (a SavedModel's graph can read and write files): the manifest records a SHA-256
of the SavedModel's files and the endpoints' signatures; :func:`load_export` checks both before and
after ``tf.saved_model.load``. ``manifest_sha256`` covers the manifest's own fields (a preset's recipe and ``k``, its
measured gain, the class names), checked whenever a manifest is read. This detects accidental or naive tampering only
(see ``exported/README.md``): load exports from trusted sources only.

``--overwrite`` replaces an export, never a folder that is not one, and ``--name`` / ``--export-version`` are
single folder names (:func:`export_path`), so nothing outside ``--export-root`` is written or removed.
"""

from __future__ import annotations

import ctypes
import datetime
import errno
import hashlib
import json
import os
import pathlib
import shutil
import tempfile

import numpy as np

from serzoo.staging import follow_umask, partial_prefix, remove_stale_partials

MANIFEST = "manifest.json"
MANIFEST_FIELDS = (
    "format",
    "scheme",
    "dataset",
    "feature_set",
    "feature_dim",
    "class_names",
    "endpoints",
    "files_sha256",
    "manifest_sha256",
)
#: /2 added ``files_sha256`` and the endpoint signatures; /3 ``manifest_sha256`` (the manifest's own fields, e.g. a
#: preset's ``recipe_k``, are covered too). /1 exports are refused; /2 ones until :func:`seal_manifest` upgrades them.
FORMAT = "serzoo-generator/4"
#: Generator formats that still load: /3 differs only in ``generate_labels`` (seed 0 on every call).
READABLE_FORMATS = (FORMAT, "serzoo-generator/3")
CLASSIFIER_FORMAT = "serzoo-classifier/2"
#: Formats that lack ``manifest_sha256`` (refused with the way to upgrade them).
UNSEALED_FORMATS = ("serzoo-generator/2", "serzoo-classifier/1")
SIGNATURES = ("serving_default", "generate", "sample")  # TF signatures of the SavedModel
#: Its tf.functions (encode: schemes with an encoder; decode: schemes whose ``decode`` inverts ``encode``).
FUNCTIONS = ("generate", "sample", "generate_labels", "encode", "decode")
_AT_FDCWD, _RENAME_NOREPLACE, _RENAME_EXCHANGE = -100, 1, 2


def _restoration(normalizer, original_dim: int):
    """Tensors that map normalised kept features back to all original features (any leading axes):
    ``restore(z) = gather(concat([z * std + mean, dropped constants]), source, axis=-1)``."""
    import tensorflow as tf

    keep = np.flatnonzero(normalizer.keep)
    dropped = np.flatnonzero(~normalizer.keep)
    # features = gather(concat([kept values, dropped constants]), source) restores the original order
    source = np.empty(original_dim, np.int32)
    source[keep] = np.arange(keep.size)
    source[dropped] = keep.size + np.arange(dropped.size)
    return {
        "mean": tf.constant(normalizer.mean, tf.float32),
        "std": tf.constant(normalizer.std, tf.float32),
        "dropped_values": tf.constant(normalizer.dropped_values, tf.float32),
        "source": tf.constant(source),
        "keep": tf.constant(keep.astype(np.int32)),
    }


def _restore(module, z):
    import tensorflow as tf

    kept = tf.cast(z, tf.float32) * module.std + module.mean
    constants = tf.broadcast_to(
        module.dropped_values, tf.concat([tf.shape(kept)[:-1], tf.shape(module.dropped_values)], axis=0)
    )
    return tf.gather(tf.concat([kept, constants], axis=-1), module.source, axis=-1)


def _normalise(module, features):
    import tensorflow as tf

    return (tf.gather(features, module.keep, axis=-1) - module.mean) / module.std


def _checked_labels(labels, n_classes: int):
    import tensorflow as tf

    message = f"labels must lie in 0..{n_classes - 1}"
    with tf.control_dependencies(
        [
            tf.debugging.assert_greater_equal(labels, 0, message=message),
            tf.debugging.assert_less(labels, n_classes, message=message),
        ]
    ):
        return tf.identity(labels)


def _module(scheme, normalizer, original_dim: int):
    """A ``tf.Module`` with the sampling signatures around a trained scheme's sub-networks.

    A frame-level scheme (``scheme.crop_frames``) decodes ``crop_frames`` frames per ``(y, z)``: its ``generate``
    and ``sample`` take ``frames`` and decode ``ceil(frames / crop_frames)`` style draws per row, concatenated
    and cut to ``frames``; ``generate_labels`` returns one crop; ``encode`` takes crops.
    """
    import tensorflow as tf

    n_classes, noise_dim = scheme.n_classes, scheme.noise_dim
    has_encoder = hasattr(scheme, "encode")
    crop = getattr(scheme, "crop_frames", None)
    has_decoder = has_encoder and hasattr(scheme, "decode") and crop is None
    kept = int(np.asarray(normalizer.keep).sum())
    code_dim = int(scheme.encode(np.zeros([1, kept], np.float32)).shape[-1]) if has_decoder else None
    example = [None, original_dim] if crop is None else [None, crop, original_dim]

    class GeneratorModule(tf.Module):
        def __init__(self):
            super().__init__(name="serzoo_generator")
            self.networks = {name: getattr(scheme, name) for name in scheme.NETWORKS}
            for name, tensor in _restoration(normalizer, original_dim).items():
                setattr(self, name, tensor)
            self.generate_labels_calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="generate_labels_calls")

        def _synthesize(self, labels, seed, frames=None):
            labels = _checked_labels(labels, n_classes)
            seed_pair = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
            if frames is None:
                noise = tf.random.stateless_normal([tf.shape(labels)[0], noise_dim], seed=seed_pair)
                return _restore(self, scheme.synthesize(noise, labels))
            with tf.control_dependencies([tf.debugging.assert_positive(frames, message="frames must be >= 1")]):
                n_crops = (tf.identity(frames) + crop - 1) // crop
            repeated = tf.repeat(labels, n_crops)
            noise = tf.random.stateless_normal([tf.shape(repeated)[0], noise_dim], seed=seed_pair)
            crops = scheme.synthesize(noise, repeated)
            sequences = tf.reshape(crops, [tf.shape(labels)[0], n_crops * crop, original_dim])[:, :frames]
            return _restore(self, sequences)

        def _sample(self, class_id, n, seed, frames=None):
            with tf.control_dependencies([tf.debugging.assert_non_negative(n, message="n must be >= 0")]):
                n = tf.identity(n)
            return {"features": self._synthesize(tf.fill([n], class_id), seed, frames)}

        if crop is None:

            @tf.function(
                input_signature=[
                    tf.TensorSpec([None], tf.int32, name="labels"),
                    tf.TensorSpec([], tf.int64, name="seed"),
                ]
            )
            def generate(self, labels, seed):
                return {"features": self._synthesize(labels, seed)}

            @tf.function(
                input_signature=[
                    tf.TensorSpec([], tf.int32, name="class_id"),
                    tf.TensorSpec([], tf.int32, name="n"),
                    tf.TensorSpec([], tf.int64, name="seed"),
                ]
            )
            def sample(self, class_id, n, seed):
                return self._sample(class_id, n, seed)
        else:

            @tf.function(
                input_signature=[
                    tf.TensorSpec([None], tf.int32, name="labels"),
                    tf.TensorSpec([], tf.int64, name="seed"),
                    tf.TensorSpec([], tf.int32, name="frames"),
                ]
            )
            def generate(self, labels, seed, frames):
                return {"features": self._synthesize(labels, seed, frames)}

            @tf.function(
                input_signature=[
                    tf.TensorSpec([], tf.int32, name="class_id"),
                    tf.TensorSpec([], tf.int32, name="n"),
                    tf.TensorSpec([], tf.int64, name="seed"),
                    tf.TensorSpec([], tf.int32, name="frames"),
                ]
            )
            def sample(self, class_id, n, seed, frames):
                return self._sample(class_id, n, seed, frames)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32, name="labels")])
        def generate_labels(self, labels):
            seed = self.generate_labels_calls.assign_add(1) - 1
            return self._synthesize(labels, seed)

        if has_encoder:

            @tf.function(input_signature=[tf.TensorSpec(example, tf.float32, name="features")])
            def encode(self, features):
                return {"codes": tf.cast(scheme.encode(_normalise(self, features)), tf.float32)}

        if has_decoder:

            @tf.function(input_signature=[tf.TensorSpec([None, code_dim], tf.float32, name="codes")])
            def decode(self, codes):
                return {"features": _restore(self, scheme.decode(codes))}

    return GeneratorModule()


def _classifier_module(scheme, normalizer, original_dim: int):
    """A ``tf.Module`` with ``classify``: original-scale features (or LLD frames) → class probabilities ``q(y|x)``.

    A frame-level scheme takes ``frames: float32[N, T, D]`` (one length ``T`` per call, any ``T >= 1``) and
    averages the posteriors of the :func:`serzoo.frames.evaluation_crops` of each utterance.
    """
    import tensorflow as tf

    from serzoo.frames import evaluation_crops

    crop = getattr(scheme, "crop_frames", None)
    n_classes, kept_dim = scheme.n_classes, int(normalizer.keep.sum())

    def posteriors(x):
        return tf.nn.softmax(tf.cast(scheme.encoder(x, training=False)[0], tf.float32), axis=-1)

    class ClassifierModule(tf.Module):
        def __init__(self):
            super().__init__(name="serzoo_classifier")
            self.encoder = scheme.encoder
            for name, tensor in _restoration(normalizer, original_dim).items():
                setattr(self, name, tensor)

        if crop is None:

            @tf.function(input_signature=[tf.TensorSpec([None, original_dim], tf.float32, name="features")])
            def classify(self, features):
                return {"probabilities": posteriors(_normalise(self, features))}
        else:

            @tf.function(input_signature=[tf.TensorSpec([None, None, original_dim], tf.float32, name="frames")])
            def classify(self, frames):
                with tf.control_dependencies(
                    [tf.debugging.assert_positive(tf.shape(frames)[1], message="frames must hold >= 1 frame")]
                ):
                    crops = evaluation_crops(_normalise(self, frames), crop)
                n, n_crops = tf.shape(crops)[0], tf.shape(crops)[1]
                flat = posteriors(tf.reshape(crops, [n * n_crops, crop, kept_dim]))
                return {"probabilities": tf.reduce_mean(tf.reshape(flat, [n, n_crops, n_classes]), axis=1)}

    return ClassifierModule()


def _write_saved_model(module, signatures: dict, manifest: dict, path: pathlib.Path, overwrite: bool) -> None:
    """Save ``module`` with ``signatures`` and ``manifest`` (plus ``files_sha256``) to a staging folder, then
    publish it at ``path`` atomically (:func:`_publish`)."""
    import tensorflow as tf

    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(path.parent)  # staging folders of killed exports (their process is gone)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=partial_prefix(path.name), dir=path.parent))
    try:
        tf.saved_model.save(module, str(staging), signatures=signatures)
        manifest["files_sha256"] = files_sha256(staging)
        write_manifest(manifest, staging)
        follow_umask(staging)  # mkdtemp made it 0700: published, it reads like any folder the user makes
        _publish(staging, path, overwrite)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _versions() -> dict:
    import keras
    import tensorflow as tf

    import serzoo

    return {"serzoo": serzoo.__version__, "tensorflow": tf.__version__, "keras": keras.__version__}


def _check_normalizer(normalizer) -> None:
    if normalizer.mode != "global":
        raise ValueError("export needs a global normaliser (per-speaker statistics cannot be inverted)")


def manifest_sha256(manifest: dict) -> str:
    """SHA-256 of the manifest's fields but ``manifest_sha256`` (canonical JSON: sorted keys, no spaces)."""
    fields = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_manifest(manifest: dict, folder) -> None:
    """Write ``folder/manifest.json`` (atomically), sealed by its ``manifest_sha256``."""
    from serzoo.report import write_text

    manifest["manifest_sha256"] = manifest_sha256(manifest)
    write_text(json.dumps(manifest, indent=2), pathlib.Path(folder) / MANIFEST)


def seal_manifest(path) -> dict:
    """Upgrade an export of a format without ``manifest_sha256`` (``serzoo-generator/2``, ``serzoo-classifier/1``)
    in place: its files must still match ``files_sha256``; the manifest is sealed as it is now, so only do this to a
    copy you trust (it cannot tell whether the manifest was edited before)."""
    file = pathlib.Path(path) / MANIFEST
    manifest = json.loads(file.read_text(encoding="utf-8"))
    upgrades = dict(zip(UNSEALED_FORMATS, ("serzoo-generator/3", CLASSIFIER_FORMAT)))  # same endpoints
    if manifest.get("format") not in upgrades:
        raise ValueError(f"{file}: format {manifest.get('format')!r} is not one of {list(upgrades)}: nothing to seal")
    if files_sha256(path) != manifest.get("files_sha256"):
        raise ValueError(f"{path}: the files do not match files_sha256 in {MANIFEST}: re-export it instead")
    manifest["format"] = upgrades[manifest["format"]]
    write_manifest(manifest, path)
    return manifest


def _check_seal(file: pathlib.Path, manifest: dict, kind: str) -> None:
    """Refuse a manifest whose fields changed after export (``manifest_sha256``), or one without the seal."""
    if manifest.get("format") in UNSEALED_FORMATS:
        raise ValueError(
            f"{file}: format {manifest['format']} does not cover the manifest's own fields by a hash (an edited "
            f"recipe or class list would go unnoticed): re-export the {kind}, or, for a copy you trust, seal it as it "
            "is: python -c \"import serzoo.export as e; e.seal_manifest('PATH')\""
        )
    if "manifest_sha256" in manifest and manifest["manifest_sha256"] != manifest_sha256(manifest):
        raise ValueError(
            f"{file}: its fields do not match manifest_sha256: the manifest was changed after the {kind} was "
            "exported; do not use it, re-export it or fetch it again from a trusted source"
        )


def is_export(path) -> bool:
    """Whether ``path`` is a folder holding a serzoo export (a ``manifest.json`` naming a serzoo export format)."""
    file = pathlib.Path(path) / MANIFEST
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and str(manifest.get("format", "")).startswith(
        ("serzoo-generator/", "serzoo-classifier/")
    )


def export_path(root, name: str, version: str) -> pathlib.Path:
    """``root/name/version``, where ``name`` and ``version`` must each be one plain path component: ``../x``, ``a/b``,
    ``.`` or a hidden name would write outside ``root`` or where staging folders live."""
    for flag, value in (("--name", name), ("--export-version", version)):
        text = str(value)
        if (
            not text
            or text.startswith(".")
            or "/" in text
            or "\\" in text
            or "\0" in text
            or (os.altsep and os.altsep in text)
        ):
            raise ValueError(
                f"{flag} {text!r} must be one plain folder name (no '/', no leading '.'): the export is written to "
                "<export-root>/<name>/<export-version>"
            )
    return pathlib.Path(root) / name / version


def check_target(path, overwrite: bool) -> None:
    """Refuse an existing ``path`` unless ``overwrite`` and it holds an export (early check; :func:`_publish`
    decides atomically): ``--overwrite`` replaces an export, never a folder that holds something else."""
    if not os.path.lexists(path):
        return
    if not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True (--overwrite) or a new version")
    if os.path.islink(path) or not is_export(path):
        raise FileExistsError(
            f"{path} exists and is not a serzoo export (no {MANIFEST} of one): --overwrite replaces exports only; "
            "choose another --export-root, --name or --export-version, or move it away yourself"
        )


def export_generator(
    scheme,
    normalizer,
    path,
    *,
    manifest: dict,
    overwrite: bool = False,
) -> pathlib.Path:
    """Write ``scheme`` (a trained :class:`~serzoo.models.scheme.AdversarialScheme`) to ``path``.

    Args:
        scheme: trained scheme with ``synthesize`` (and ``encode`` if it has an encoder).
        normalizer: the fold's fitted :class:`serzoo.data.Normalizer` (global statistics), with
            ``dropped_values`` set (see :func:`serzoo.data.Normalizer.fit`).
        path: target folder, conventionally ``exported/<name>/<version>``.
        manifest: dataset, feature set, feature names, class names, training groups, metrics...;
            merged with the fields written here (scheme config, versions, endpoints, file hash).
        overwrite: replace an existing export at ``path`` (default: refuse, also when another export
            reaches ``path`` first while this one is being written).
    """
    path = pathlib.Path(path)
    check_target(path, overwrite)
    _check_normalizer(normalizer)
    original_dim = int(normalizer.keep.size)
    module = _module(scheme, normalizer, original_dim)
    crop = getattr(scheme, "crop_frames", None)
    full_manifest = {
        "format": FORMAT,
        "scheme": type(scheme).__name__,
        "scheme_config": {k: v for k, v in scheme.get_config().items() if not isinstance(v, dict)},
        **manifest,
        "feature_dim": original_dim,
        **({} if crop is None else {"crop_frames": crop}),
        "n_classes": scheme.n_classes,
        "noise_dim": scheme.noise_dim,
        "normalisation": {
            "keep": normalizer.keep.tolist(),
            "mean": normalizer.mean.tolist(),
            "std": normalizer.std.tolist(),
            "dropped_values": normalizer.dropped_values.tolist(),
        },
        "endpoints": describe_endpoints(module),
        "versions": _versions(),
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if len(full_manifest.get("class_names", [])) != scheme.n_classes:
        raise ValueError(f"manifest class_names must list {scheme.n_classes} classes")
    signatures = {"serving_default": module.generate, "generate": module.generate, "sample": module.sample}
    _write_saved_model(module, signatures, full_manifest, path, overwrite)
    return path


def export_classifier(scheme, normalizer, path, *, manifest: dict, overwrite: bool = False) -> pathlib.Path:
    """Write the emotion classifier ``q(y|x)`` of a trained scheme with a categorical encoder head (the
    semi-supervised AAE) to ``path`` as a SavedModel with one signature, ``classify`` (= ``serving_default``):

    - utterance level: ``classify(features: float32[N, D]) -> {"probabilities": float32[N, C]}``;
    - frame level: ``classify(frames: float32[N, T, D]) -> {"probabilities": float32[N, C]}``, the mean
      posterior over each utterance's crops (:mod:`serzoo.frames`).

    Input is in the ORIGINAL openSMILE scale: the fold's normalisation runs inside the graph. ``manifest``
    (dataset, feature set, class names...) is merged with the fields written here (format
    ``serzoo-classifier/2``, ``files_sha256``, ``manifest_sha256``); :func:`load_classifier` checks it.
    ``tf.saved_model.load`` is all a user needs.
    """
    path = pathlib.Path(path)
    check_target(path, overwrite)
    _check_normalizer(normalizer)
    original_dim = int(normalizer.keep.size)
    module = _classifier_module(scheme, normalizer, original_dim)
    crop = getattr(scheme, "crop_frames", None)
    full_manifest = {
        "format": CLASSIFIER_FORMAT,
        "scheme": type(scheme).__name__,
        **manifest,
        "feature_dim": original_dim,
        "n_classes": scheme.n_classes,
        **({} if crop is None else {"crop_frames": crop}),
        "endpoints": {"classify": _describe_function(module.classify)},
        "versions": _versions(),
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if len(full_manifest.get("class_names", [])) != scheme.n_classes:
        raise ValueError(f"manifest class_names must list {scheme.n_classes} classes")
    signatures = {"serving_default": module.classify, "classify": module.classify}
    _write_saved_model(module, signatures, full_manifest, path, overwrite)
    return path


def export_keras_classifier(model, normalizer, path, *, manifest: dict, overwrite: bool = False) -> pathlib.Path:
    """Write a Keras classifier whose ``model(x)`` gives class probabilities of normalised features
    (:class:`~serzoo.models.classifiers.DnnClassifier`'s or
    :class:`~serzoo.models.domain_adversarial.DannClassifier`'s ``model_``) to ``path`` as a SavedModel with the
    ``classify`` signature of :func:`export_classifier` (``features`` in the ORIGINAL scale, ``normalizer``'s global
    statistics applied inside the graph); ``manifest`` must name the ``class_names``."""
    import tensorflow as tf

    path = pathlib.Path(path)
    check_target(path, overwrite)
    _check_normalizer(normalizer)
    original_dim = int(normalizer.keep.size)

    class KerasClassifierModule(tf.Module):
        def __init__(self):
            super().__init__(name="serzoo_classifier")
            self.model = model
            for name, tensor in _restoration(normalizer, original_dim).items():
                setattr(self, name, tensor)

        @tf.function(input_signature=[tf.TensorSpec([None, original_dim], tf.float32, name="features")])
        def classify(self, features):
            return {"probabilities": tf.cast(self.model(_normalise(self, features), training=False), tf.float32)}

    module = KerasClassifierModule()
    full_manifest = {
        "format": CLASSIFIER_FORMAT,
        "scheme": type(model).__name__,
        **manifest,
        "feature_dim": original_dim,
        "n_classes": len(manifest["class_names"]),
        "endpoints": {"classify": _describe_function(module.classify)},
        "versions": _versions(),
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    signatures = {"serving_default": module.classify, "classify": module.classify}
    _write_saved_model(module, signatures, full_manifest, path, overwrite)
    return path


def _renameat2(source, target, flag: int) -> bool:
    """Linux ``renameat2(2)`` with ``flag``; False where the C library or the file system lacks it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flag) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(target))  # EEXIST becomes FileExistsError


def _publish(staging: pathlib.Path, path: pathlib.Path, overwrite: bool) -> None:
    """Move the staged export to ``path`` atomically, never replacing an export unless ``overwrite``.

    Linux: ``RENAME_NOREPLACE``, and for ``overwrite`` ``RENAME_EXCHANGE`` (the old version is swapped
    out in one step, then deleted: ``path`` always holds a complete version). Elsewhere: ``rename``,
    which refuses a non-empty folder (an empty one is replaced), and for ``overwrite`` the old
    version is moved aside first (a moment without a version at ``path``).
    """
    try:
        if not _renameat2(staging, path, _RENAME_NOREPLACE):
            os.rename(staging, path)
        return
    except OSError as err:
        if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        if not overwrite:
            raise FileExistsError(
                f"{path} already exists (another export finished first); "
                "pass overwrite=True (--overwrite) or a new version"
            ) from None
    check_target(path, overwrite)  # still an export (it may have been replaced while this one trained)
    if _renameat2(staging, path, _RENAME_EXCHANGE):
        shutil.rmtree(staging)  # it now holds the replaced version
        return
    retired = path.with_name(f"{staging.name}.old")
    os.rename(path, retired)
    os.rename(staging, path)
    shutil.rmtree(retired)


def files_sha256(folder) -> str:
    """SHA-256 over the sorted relative paths, sizes and contents of the files in ``folder``, but
    ``manifest.json``; a symbolic link is refused (an export is plain files)."""
    folder = pathlib.Path(folder)
    links = [p for p in folder.rglob("*") if p.is_symlink()]
    if links:
        raise ValueError(f"{links[0]} is a symbolic link; an export holds plain files only: re-export it")
    files = sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for name, file in files:
        if name == MANIFEST:
            continue
        digest.update(len(name.encode()).to_bytes(8, "big") + name.encode())
        digest.update(file.stat().st_size.to_bytes(8, "big"))
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _spec(tensor) -> dict:
    try:
        return {"dtype": tensor.dtype.name, "shape": None if tensor.shape.rank is None else tensor.shape.as_list()}
    except AttributeError:
        return {"type": type(tensor).__name__}


def _describe_concrete(concrete) -> dict:
    """Input and output names, dtypes and shapes of a concrete function or a loaded signature."""
    args, kwargs = concrete.structured_input_signature
    inputs = {**{getattr(spec, "name", str(i)): spec for i, spec in enumerate(args)}, **kwargs}
    outputs = concrete.structured_outputs
    outputs = outputs if isinstance(outputs, dict) else {"output": outputs}
    return {
        "inputs": {k: _spec(v) for k, v in sorted(inputs.items())},
        "outputs": {k: _spec(v) for k, v in sorted(outputs.items())},
    }


def _describe_function(function) -> dict:
    concrete = getattr(function, "concrete_functions", None)  # a loaded tf.function
    if concrete is None and hasattr(function, "get_concrete_function"):
        concrete = [function.get_concrete_function()]  # a tf.function with an input signature
    if concrete is None or len(concrete) != 1:
        return {"type": type(function).__name__, "traced_signatures": None if concrete is None else len(concrete)}
    return _describe_concrete(concrete[0])


def describe_endpoints(module) -> dict:
    """``{endpoint: {"inputs": {name: {dtype, shape}}, "outputs": {...}}}`` of a generator module
    (``serving_default`` = ``generate``); a bare tensor output is called ``output``."""
    found = {name: _describe_function(getattr(module, name)) for name in FUNCTIONS if hasattr(module, name)}
    return {"serving_default": found["generate"], **found}


def expected_endpoints(
    feature_dim: int, code_dim: int | None, crop_frames: int | None = None, decode: bool = False
) -> dict:
    """The endpoints of a serzoo generator with ``feature_dim`` features (and an encoder to ``code_dim``); a
    frame-level generator (``crop_frames``) takes ``frames`` and returns ``[n, frames, feature_dim]``."""

    def spec(dtype, *shape):
        return {"dtype": dtype, "shape": list(shape)}

    frame_level = crop_frames is not None
    example = (None, crop_frames, feature_dim) if frame_level else (None, feature_dim)
    features = {"features": spec("float32", *((None, None, feature_dim) if frame_level else example))}
    frames = {"frames": spec("int32")} if frame_level else {}
    generate = {"inputs": {"labels": spec("int32", None), "seed": spec("int64"), **frames}, "outputs": features}
    endpoints = {
        "serving_default": generate,
        "generate": generate,
        "sample": {
            "inputs": {"class_id": spec("int32"), "n": spec("int32"), "seed": spec("int64"), **frames},
            "outputs": features,
        },
        "generate_labels": {
            "inputs": {"labels": spec("int32", None)},
            "outputs": {"output": spec("float32", *example)},
        },
    }
    if code_dim is not None:
        endpoints["encode"] = {
            "inputs": {"features": spec("float32", *example)},
            "outputs": {"codes": spec("float32", None, code_dim)},
        }
        if decode:
            endpoints["decode"] = {"inputs": {"codes": spec("float32", None, code_dim)}, "outputs": features}
    return endpoints


def _differences(expected: dict, found: dict) -> str:
    """What differs between two endpoint descriptions, or ``""``."""
    missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    changed = [
        f"{name}: expected {expected[name]}, found {found[name]}"
        for name in expected
        if name in found and expected[name] != found[name]
    ]
    return "; ".join(
        [f"missing endpoint(s) {missing}"] * bool(missing) + [f"unexpected endpoint(s) {extra}"] * bool(extra) + changed
    )


_FIELD_TYPES = {
    "format": str,
    "scheme": str,
    "dataset": str,
    "feature_set": str,
    "feature_dim": int,
    "class_names": list,
    "endpoints": dict,
    "files_sha256": str,
}


def read_manifest(path) -> dict:
    """The manifest of an exported generator, type-checked; errors name the file and the field."""
    file = pathlib.Path(path) / MANIFEST
    if not file.is_file():
        raise FileNotFoundError(f"{file} is missing: {path} is not a serzoo export (exported/<name>/<version>)")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{file} is not valid JSON ({err}); re-export the generator") from err
    if not isinstance(manifest, dict):
        raise ValueError(f"{file} must hold a JSON object, got {type(manifest).__name__}; re-export the generator")
    if manifest.get("format") == "serzoo-generator/1":
        raise ValueError(
            f"{file}: format serzoo-generator/1 records no hash of the SavedModel's files, and an "
            "export is code: re-export it with this serzoo (serzoo export ... --overwrite)"
        )
    _check_seal(file, manifest, "generator")
    missing = [f for f in MANIFEST_FIELDS if f not in manifest]
    if missing:
        raise ValueError(f"{file} lacks the field(s) {', '.join(missing)}; re-export the generator")
    for field, kind in _FIELD_TYPES.items():
        value = manifest[field]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(
                f"{file}: {field} must be of type {kind.__name__}, got the {type(value).__name__} "
                f"{str(value)[:60]!r}; re-export the generator"
            )
    if manifest["format"] not in READABLE_FORMATS:
        raise ValueError(
            f"{file}: format {manifest['format']!r} is not one of {list(READABLE_FORMATS)}; re-export with this serzoo"
        )
    if manifest["feature_dim"] <= 0:
        raise ValueError(f"{file}: feature_dim must be a positive int, got {manifest['feature_dim']}")
    names = manifest["class_names"]
    if not names or not all(isinstance(name, str) for name in names):
        raise ValueError(f"{file}: class_names must be a non-empty list of str, got {names!r:.80}")
    if manifest.get("n_classes", len(names)) != len(names):
        raise ValueError(f"{file}: class_names and n_classes disagree; re-export the generator")
    if len(manifest["files_sha256"]) != 64 or set(manifest["files_sha256"]) - set("0123456789abcdef"):
        raise ValueError(f"{file}: files_sha256 must be 64 lower-case hex digits; re-export the generator")
    endpoints = manifest["endpoints"]
    code_dim = None
    if "encode" in endpoints:
        try:
            code_dim = endpoints["encode"]["outputs"]["codes"]["shape"][1]
        except (KeyError, IndexError, TypeError):
            code_dim = "missing"
    crop_frames = manifest.get("crop_frames")
    if crop_frames is not None and (type(crop_frames) is not int or crop_frames < 1):
        raise ValueError(f"{file}: crop_frames must be a positive int, got {crop_frames!r}; re-export the generator")
    if "recipe" in manifest:  # a pretrained preset's recipe (serzoo.zoo)
        from serzoo.recipes import Recipe

        try:
            Recipe.from_dict(manifest["recipe"])
        except ValueError as err:
            raise ValueError(f"{file}: recipe: {err}; fix the field or re-export the preset") from err
        k = manifest.get("recipe_k", 1)
        if type(k) is not int or k < 0:
            raise ValueError(f"{file}: recipe_k must be an int >= 0, got {k!r}")
    differences = _differences(
        expected_endpoints(manifest["feature_dim"], code_dim, crop_frames, decode="decode" in endpoints), endpoints
    )
    if differences or not (code_dim is None or (type(code_dim) is int and code_dim > 0)):
        raise ValueError(
            f"{file}: endpoints are not those of a serzoo generator ({differences or code_dim}); "
            "re-export the generator"
        )
    return manifest


def load_classifier(path):
    """``(module, manifest)`` of a classifier written by :func:`export_classifier`: the manifest's format and
    the files' hash are checked before ``tf.saved_model.load`` (``module.classify(...)["probabilities"]``)."""
    import tensorflow as tf

    file = pathlib.Path(path) / MANIFEST
    if not file.is_file():
        raise FileNotFoundError(f"{file} is missing: {path} is not a serzoo classifier export")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{file} is not valid JSON ({err}); re-export the classifier") from err
    if isinstance(manifest, dict) and manifest.get("format") in UNSEALED_FORMATS:
        _check_seal(file, manifest, "classifier")
    if not isinstance(manifest, dict) or manifest.get("format") != CLASSIFIER_FORMAT:
        raise ValueError(
            f"{file}: format must be {CLASSIFIER_FORMAT!r} (a generator export loads with "
            "serzoo.ExportedGenerator); re-export the classifier"
        )
    _check_seal(file, manifest, "classifier")
    found = files_sha256(path)
    if found != manifest.get("files_sha256"):
        raise ValueError(
            f"{path}: the SavedModel's files do not match files_sha256 in {MANIFEST}: the export was "
            "changed after it was written; do not load it, re-export it"
        )
    return tf.saved_model.load(str(path)), manifest


def load_export(path, manifest: dict):
    """``tf.saved_model.load(path)`` once the files match ``manifest["files_sha256"]``; then the
    loaded functions and signatures must match ``manifest["endpoints"]`` (``ValueError`` otherwise)."""
    import tensorflow as tf

    found = files_sha256(path)
    if found != manifest["files_sha256"]:
        raise ValueError(
            f"{path}: the SavedModel's files do not match files_sha256 in {MANIFEST} (hash "
            f"{found[:12]}…, manifest {manifest['files_sha256'][:12]}…): the export was changed after "
            "it was written; do not load it, re-export it or fetch it again from a trusted source"
        )
    module = tf.saved_model.load(str(path))
    endpoints = manifest["endpoints"]
    expected = {name: value for name, value in endpoints.items() if name != "serving_default"}
    expected.update({f"signatures[{name!r}]": endpoints[name] for name in SIGNATURES})
    found = {
        name: _describe_function(getattr(module, name))
        for name in endpoints
        if name != "serving_default" and hasattr(module, name)
    }
    found.update({f"signatures[{name!r}]": _describe_concrete(sig) for name, sig in module.signatures.items()})
    differences = _differences(expected, found)
    if differences:
        raise ValueError(
            f"{path}: the loaded SavedModel does not match the endpoints in {MANIFEST} "
            f"({differences}); do not use it, re-export it from a trusted source"
        )
    return module
