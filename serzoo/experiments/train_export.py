"""Train a generator on a corpus's training groups and export it (``serzoo export``).

The normaliser is fitted on the training groups only; the manifest records the dataset, feature
set, class names, training groups, normalisation and generator-quality metrics at export: MMD
(real vs synthetic, normalised space), TRTS (linear SVM trained on the real training data, tested on
synthetic data: are the samples recognisable as their class?) and TSTR (trained on synthetic, tested
on the real training data: do they carry the class structure?), both as UAR.
"""

from __future__ import annotations

import pathlib

import numpy as np

from serzoo.augmenters import SchemeAugmenter
from serzoo.data import Corpus, Normalizer
from serzoo.quality import generator_quality
from serzoo.schedules import schedule_keyword


@schedule_keyword
def train_and_export(
    corpus: Corpus,
    scheme: str = "adan",
    *,
    train_splits=None,
    schedule: str = "serzoo",
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    root="exported",
    name: str | None = None,
    version: str = "1",
    overwrite: bool = False,
    options: dict | None = None,
    setting=None,
    recipe=None,
    recipe_k: int | None = None,
    extra_manifest: dict | None = None,
) -> tuple[pathlib.Path, SchemeAugmenter, Normalizer]:
    """Fit ``scheme`` on ``train_splits`` (default: all groups) and export it to ``root/name/version``.

    The scheme trains as ``schedule`` says (:mod:`serzoo.schedules`); ``epochs``, ``learning_rate`` (Adam, every
    player) and ``batch_size`` override it. ``options`` go to the scheme builder (e.g. smaller networks for tests).
    An existing target is refused before training unless ``overwrite``; :func:`~serzoo.export.export_generator` decides
    atomically at the end. A ``setting`` (:class:`serzoo.hparams.TunedSetting`, ``--hparams``) replaces the
    schedule's training and adds its builder options; its scheme must be ``scheme``; ``epochs``, ``learning_rate``
    and ``batch_size`` override its training as they override a schedule's
    (:meth:`~serzoo.hparams.TunedSetting.overridden`).
    ``recipe`` (a :class:`serzoo.recipes.Recipe` or its fields) and ``recipe_k`` are recorded in the manifest as the
    way the generator is meant to be used: ``augment(x, y, path)`` applies them (:mod:`serzoo.zoo`); ``extra_manifest``
    adds fields (e.g. the measured ``utility``).
    """
    from serzoo.export import check_target, export_generator, export_path
    from serzoo.models import check_generator, scheme_names
    from serzoo.schedules import training_for

    if not check_generator(scheme, "export").exportable:
        raise ValueError(
            f"export supports {', '.join(scheme_names(exportable=True))} (one conditional generator); got {scheme!r}"
        )
    target = export_path(root, name or f"{scheme}_{corpus.name}_{corpus.feature_set}", version)
    check_target(target, overwrite)
    training = training_for(scheme, schedule, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
    if setting is not None:
        if setting.scheme != scheme:
            raise ValueError(f"--hparams {setting.source} tunes {setting.scheme!r}, not --scheme {scheme!r}")
        setting = setting.overridden(epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
        training, options = setting.training(), {**setting.options, **(options or {})}
    usage = {}
    if recipe is not None or recipe_k is not None:
        from serzoo.recipes import as_recipe
        from serzoo.validation import check_k

        usage = {"recipe": as_recipe(recipe).to_dict(), "recipe_k": check_k(1 if recipe_k is None else recipe_k)}
    train_splits = list(train_splits or corpus.splits)
    train = corpus.select(train_splits)
    normalizer = Normalizer("global").fit(train.x)
    x = normalizer.transform(train.x)
    augmenter = SchemeAugmenter(scheme, training=training, seed=seed, options=options or {})
    augmenter.fit(x, train.y, corpus.n_classes)
    y_syn = train.y.copy()
    quality = generator_quality(x, train.y, augmenter.sample(y_syn, seed=seed + 1), y_syn, corpus.n_classes)
    path = export_generator(
        augmenter.model,
        normalizer,
        target,
        overwrite=overwrite,
        manifest={
            "scheme": scheme,
            "scheme_class": type(augmenter.model).__name__,
            "dataset": corpus.name,
            "feature_set": corpus.feature_set,
            "feature_names": corpus.feature_names,
            "class_names": corpus.class_names,
            "training_groups": train_splits,
            "n_training_utterances": int(train.y.size),
            "schedule": schedule,
            "training": training.describe(),
            "epochs": training.epochs,
            "learning_rate": training.learning_rate if training.optimizer == "adam" else training.optimizer,
            "batch_size": training.batch_size,
            "seed": seed,
            "metrics_at_export": quality,
            "final_losses": {k: float(np.asarray(v)[-1]) for k, v in augmenter.history_.items()},
            "builder_options": options or {},
            **({"tuned_setting": setting.to_dict()} if setting is not None else {}),
            **usage,
            **(extra_manifest or {}),
        },
    )
    return path, augmenter, normalizer
