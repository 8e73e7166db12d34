"""serzoo from a Keras user's own script: a scheme trained with ``model.fit`` and callbacks, a ``tf.data`` pipeline
augmented by a generator export (a preset), and a KerasTuner search driven from Python.

    python examples/keras_user.py                              # the embedded synthetic corpus (built on first use)
    python examples/keras_user.py --dataset emodb/is11 --manual-dir $SERZOO_EMODB_DIR \\
        --preset exported/wadan_emodb_is11/1                   # your corpus and a shipped preset

``tests/test_examples.py`` runs it with ``--tiny`` (tiny networks, a few epochs) on the test fixtures.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile


def train_a_scheme(fold, *, tiny: bool, epochs: int):
    """1. A scheme is a ``keras.Model``: build it with the paper's class weights, compile with any optimizer, fit
    with callbacks monitoring its logged losses (``val_<loss>``; there is no overall loss)."""
    import keras

    import serzoo

    options = {"latent_dim": 4, "noise_dim": 4, "autoencoder_width": 16, "width": 8} if tiny else {}
    spec = serzoo.get_scheme("wadan")
    scheme = spec.build(fold.x_train.shape[1], int(fold.y_train.max()) + 1, y=fold.y_train, seed=0, **options)
    scheme.compile(optimizer=keras.optimizers.Adam(3e-4))  # every player gets its own copy
    stop = keras.callbacks.EarlyStopping(monitor="val_reconstruction_loss", patience=5, restore_best_weights=True)
    history = scheme.fit(
        fold.x_train,
        fold.y_train,
        batch_size=32,
        epochs=epochs,
        validation_data=(fold.x_test, fold.y_test),
        callbacks=[stop],
        verbose=0,
    )
    epochs_run = len(history.history["val_reconstruction_loss"])
    print(f"1. wadan ({type(scheme).__name__}): {epochs_run} epochs; it logs {', '.join(scheme.LOSSES)}")
    return scheme


def augment_a_pipeline(fold, preset, *, n_classes: int, epochs: int):
    """2. A generator export in a ``tf.data`` pipeline: it samples raw features (its training data's scale), so the
    pipeline feeds raw rows and the classifier normalises them (a Keras ``Normalization`` layer)."""
    import keras
    import tensorflow as tf

    import serzoo

    generator = serzoo.ExportedGenerator(preset)
    x_raw, y = fold.train.x.astype("float32"), fold.train.y
    train = tf.data.Dataset.from_tensor_slices((x_raw, y)).shuffle(len(y), seed=0).batch(32)
    train = train.apply(generator.dataset_transform(k=1))  # each batch of B real rows + B synthetic ones
    normalise = keras.layers.Normalization()
    normalise.adapt(x_raw)
    classifier = keras.Sequential(
        [
            keras.Input((x_raw.shape[1],)),
            normalise,
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(n_classes),
        ]
    )
    classifier.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = classifier.fit(train, epochs=epochs, verbose=0)
    print(
        f"2. classifier on real + synthetic rows: {len(history.history['loss'])} epochs, {int(train.cardinality())} "
        "steps each"
    )
    return classifier


def search_from_python(corpus, *, tiny: bool, epochs: int, directory):
    """3. KerasTuner from Python: the hypermodel measures each trial on the development speakers' inner folds, so
    ``search()`` takes no data; the best setting is retrained from its hyperparameters."""
    from serzoo.tuning.hypermodel import AugmentationHyperModel
    from serzoo.tuning.objectives import InnerFolds, kt_objective
    from serzoo.tuning.tuners import RandomSearch

    development = list(corpus.splits)[:3]
    folds = InnerFolds(corpus.subset(development))
    options = {"latent_dim": 4, "noise_dim": 4, "autoencoder_width": 16, "width": 8} if tiny else {}
    hypermodel = AugmentationHyperModel(
        "wadan",
        input_dim=folds.folds[0].x_train.shape[1],
        n_classes=corpus.n_classes,
        folds=folds,
        objective="utility",
        classifier="svm",
        k=1,
        epochs=epochs,
        fixed_options=options,
    )
    tuner = RandomSearch(
        hypermodel, objective=kt_objective("utility"), max_trials=2, directory=directory, overwrite=True
    )
    tuner.progress = False
    tuner.search()
    setting = hypermodel.setting(tuner.get_best_hyperparameters()[0])
    print(f"3. best of {len(tuner.oracle.trials)} trials: {setting.to_dict()}")
    return setting


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--dataset", default="synth_emo/is11", help="CORPUS/FEATURES (default synth_emo/is11)")
    parser.add_argument("--manual-dir", default=None, help="the corpus folder (default $SERZOO_<CORPUS>_DIR)")
    parser.add_argument("--data-dir", default=None, help="TFDS data dir (default ~/tensorflow_datasets)")
    parser.add_argument("--preset", default=None, help="a generator export (default: export step 1's scheme)")
    parser.add_argument("--epochs", type=int, default=50, help="epochs of every training (default 50)")
    parser.add_argument("--tiny", action="store_true", help="tiny networks (a test run)")
    parser.add_argument("--output-dir", default=None, help="where the export and the search go (default a temp dir)")
    args = parser.parse_args(argv)

    import serzoo
    from serzoo.export import export_generator

    corpus = serzoo.load_corpus(args.dataset, data_dir=args.data_dir, manual_dir=args.manual_dir)
    fold = next(iter(serzoo.iter_folds(corpus, progress=False)))
    output = pathlib.Path(args.output_dir or tempfile.mkdtemp(prefix="serzoo_example_"))
    scheme = train_a_scheme(fold, tiny=args.tiny, epochs=args.epochs)
    preset = args.preset or export_generator(
        scheme,
        fold.normalizer,
        output / "export" / "wadan" / "1",
        overwrite=True,
        manifest={"dataset": corpus.name, "feature_set": corpus.feature_set, "class_names": corpus.class_names},
    )
    augment_a_pipeline(fold, preset, n_classes=corpus.n_classes, epochs=args.epochs)
    search_from_python(corpus, tiny=args.tiny, epochs=args.epochs, directory=output / "search")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
