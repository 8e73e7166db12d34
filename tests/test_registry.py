"""The scheme registry: every entry passes the shared checks, and a scheme registered at run time reaches
``augment``, ``serzoo export`` and ``serzoo reproduce`` with no other edit (a classifier-only one is listed,
checked, and refused with a clear error wherever a generator is needed); schedules reach every scheme."""

import json
import subprocess
import sys

import numpy as np
import pytest

from serzoo import cli, schedules
from serzoo.augmenters import SchemeAugmenter, augment, augmentation_methods
from serzoo.models import SchemeSpec, get_scheme, register_scheme, scheme_names, unregister_scheme
from tests.scheme_checks import TINY_OPTIONS, check_registered

TOY = SchemeSpec("toy", "tests.toy_scheme:build_toy", "toy regressor (tests only)", "none")
TOY_CLASSIFIER = SchemeSpec(
    "toy_classifier",
    "tests.toy_scheme:build_toy_classifier",
    "toy softmax regression (tests only)",
    "none",
    exportable=False,
    generator=False,
    classifier="tests.toy_scheme:ToyClassifier",
)


#: Schemes the default run checks; the others (20-90 s each) opt in with --runslow.
SHARED_CHECKS_IN_DEFAULT_RUN = ("adan", "gan", "aae")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=() if n in SHARED_CHECKS_IN_DEFAULT_RUN else pytest.mark.slow) for n in scheme_names()],
)
def test_every_registered_scheme_passes_the_shared_checks(name, tmp_path):
    check_registered(name, tmp_path)


def test_registry_knows_what_the_other_layers_need():
    assert not get_scheme("gan").per_class and get_scheme("gan").exportable  # one batched model (revision 2)
    assert set(scheme_names(exportable=True)) == set(scheme_names(generator=True))
    assert scheme_names(generator=False) == ("dann",) and "dann" not in augmentation_methods()
    with pytest.raises(ValueError, match="classifier-only scheme .* pass exportable=False"):
        SchemeSpec("clf", "x:y", "", "", generator=False)
    assert get_scheme("wadan").builder_options == {"divergence": "wasserstein"} and get_scheme("adan").class_weights
    assert set(TINY_OPTIONS) == set(scheme_names())  # a new scheme also gets tiny test options
    with pytest.raises(ValueError, match="unknown scheme 'nope'; registered schemes: gan, cgan"):
        get_scheme("nope")
    with pytest.raises(ValueError, match="already registered"):
        register_scheme(SchemeSpec("adan", "x:y", "", ""))
    with pytest.raises(ValueError, match="lower-case identifier"):
        register_scheme(SchemeSpec("My-GAN", "x:y", "", ""))


@pytest.mark.slow
def test_epochs_reach_every_scheme_through_the_cli(synth_is11, tfds_data_dir, tmp_path, monkeypatch):
    """``serzoo reproduce --methods m1 --epochs 5`` used to train M1 for 300 epochs (only the schemes listed in
    a PAPER_EPOCHS dict took the flag). Every registered scheme is asked for in one run; fitting is replaced by a
    spy that records the training each scheme was given (and sampling by zeros)."""
    seen = {}

    def spy(self, x, y, n_classes):
        seen[self.name] = (self.training.epochs, self.training.learning_rate)
        self.dim_ = x.shape[1]
        return self

    monkeypatch.setattr(SchemeAugmenter, "fit", spy)
    monkeypatch.setattr(SchemeAugmenter, "sample", lambda self, labels, seed=0: np.zeros((len(labels), self.dim_)))
    assert (
        cli.main(
            [
                "reproduce",
                "yi-mak-emodb",
                "--dataset",
                "synth_emo/is11",
                "--data-dir",
                str(tfds_data_dir),
                "--methods",
                ",".join(scheme_names(generator=True)),
                "--epochs",
                "5",
                "--learning-rate",
                "0.002",
                "--k",
                "0,1",
                "--headline-k",
                "1",
                "--folds",
                "1",
                "--classifiers",
                "svm",
                "--no-synthetic-only",
                "--jobs",
                "1",
                "--output-dir",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    assert seen == {name: (5, 0.002) for name in scheme_names(generator=True)}


def test_schedules_hold_the_papers_and_serzoo_settings():
    assert schedules.training_for("wadan", "paper").epochs == 1500
    assert schedules.training_for("adan", "paper").epochs == 800
    assert schedules.training_for("m2", "paper").optimizer == "sahu_sgd"
    assert schedules.training_for("m2", "serzoo").optimizer == "adam"
    for name in scheme_names():
        for schedule in schedules.SCHEDULES:
            assert schedules.training_for(name, schedule).source  # every setting says where it comes from
    overridden = schedules.training_for("m1", "paper", learning_rate=1e-3)
    assert overridden.optimizer == "adam" and overridden.learning_rate == 1e-3 and overridden.tag == "adam0.001"
    with pytest.raises(ValueError, match="unknown schedule 'fast'"):
        schedules.training_for("adan", "fast")


def test_the_old_preset_keyword_is_refused_with_the_new_name():
    """``preset=`` was the training schedule's old name (a preset is now a pretrained model): it must fail naming
    ``schedule=``, never land silently in a builder's ``**options``."""
    from serzoo import augmenters
    from serzoo.experiments.train_export import train_and_export

    for call in (
        lambda: schedules.training_for("wadan", preset="paper"),
        lambda: augmenters.make_augmenter("wadan", preset="paper"),
        lambda: train_and_export(None, "wadan", preset="paper"),
    ):
        with pytest.raises(TypeError, match="schedule="):
            call()


@pytest.mark.parametrize("args", [["schemes", "--preset", "paper"], ["export", "--preset", "paper"]])
def test_the_old_preset_option_is_refused_with_the_new_name(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2 and "--schedule" in capsys.readouterr().err


def test_schemes_lists_a_schedule(capsys):
    assert cli.main(["schemes", "--schedule", "paper"]) == 0
    assert "Training under schedule `paper`" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["wadan", "gan"])  # gan: the batched per-class model counts its own steps
def test_a_cosine_rate_reaches_zero_at_the_last_step(scheme):
    from tests.scheme_checks import N_CLASSES, tiny_data

    x, y = tiny_data()
    training = schedules.Training(3, learning_rate=1e-3, batch_size=8, decay="cosine")
    augmenter = SchemeAugmenter(scheme, training=training, options=TINY_OPTIONS[scheme]).fit(x, y, N_CLASSES)
    model = augmenter.model
    steps = 3 * model.steps_per_epoch(x, y, 8)
    for player in model.PLAYERS:
        optimizer = getattr(model, f"{player}_optimizer")
        assert int(optimizer.iterations) == steps  # the schedule's horizon is the run's length
        assert float(optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)
    assert "cosine" in training.tag and "cosine decay" in training.describe()
    with pytest.raises(ValueError, match="decay must be one of constant, cosine"):
        schedules.Training(3, decay="linear")
    with pytest.raises(ValueError, match="pass steps_per_epoch"):
        training.optimizers(scheme, model.PLAYERS)


def tensorboard_tags(root) -> set:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tags = set()
    for events in root.rglob("events.out.tfevents.*"):
        accumulator = EventAccumulator(str(events.parent)).Reload()
        tags |= {tag for tag in accumulator.Tags()["tensors"] if len(accumulator.Tensors(tag)) == 2}
    return tags


@pytest.fixture
def toy_registered():
    register_scheme(TOY)
    yield TOY
    unregister_scheme("toy")


@pytest.mark.slow
def test_a_scheme_registered_at_run_time_reaches_every_layer(
    toy_registered, synth_is11, tfds_data_dir, tmp_path, capsys
):
    # the shared checks
    check_registered("toy", tmp_path)
    # augment() and the method list
    assert "toy" in augmentation_methods()
    x, y = synth_is11.splits["speaker01"].x, synth_is11.splits["speaker01"].y
    x_aug, y_aug = augment(x, y, "toy", k=2, n_classes=synth_is11.n_classes, epochs=2)
    assert x_aug.shape == (3 * len(y), x.shape[1]) and np.isfinite(x_aug).all()
    # serzoo export
    root = tmp_path / "exported"
    logs = tmp_path / "tensorboard"
    assert (
        cli.main(
            [
                "export",
                "--scheme",
                "toy",
                "--dataset",
                "synth_emo/is11",
                "--data-dir",
                str(tfds_data_dir),
                "--epochs",
                "2",
                "--export-root",
                str(root),
                "--name",
                "toy_export",
                "--tensorboard",
                str(logs),
            ]
        )
        == 0
    )
    manifest = json.loads((root / "toy_export" / "1" / "manifest.json").read_text())
    assert manifest["scheme"] == "toy" and manifest["epochs"] == 2 and manifest["schedule"] == "serzoo"
    assert "epoch_regression_loss" in tensorboard_tags(logs)  # each player's loss, once per epoch
    # serzoo reproduce --methods, computed by two worker processes (they learn the run-time registration too)
    out = tmp_path / "repro"
    assert (
        cli.main(
            [
                "reproduce",
                "yi-mak-emodb",
                "--dataset",
                "synth_emo/is11",
                "--data-dir",
                str(tfds_data_dir),
                "--methods",
                "toy",
                "--epochs",
                "2",
                "--k",
                "0,1",
                "--headline-k",
                "1",
                "--folds",
                "2",
                "--classifiers",
                "svm",
                "--no-synthetic-only",
                "--jobs",
                "2",
                "--output-dir",
                str(out),
            ]
        )
        == 0
    )
    keys = [json.loads(line).get("key") for line in (out / "units.jsonl").read_text().splitlines()]
    assert "seed0/speaker01/toy@2" in keys
    assert "| toy | svm |" in (out / "report.md").read_text()
    capsys.readouterr()


@pytest.fixture
def toy_classifier_registered():
    register_scheme(TOY_CLASSIFIER)
    yield TOY_CLASSIFIER
    unregister_scheme("toy_classifier")


#: Every command option that takes a generator (besides the scheme name, what the parser needs to reach it).
GENERATOR_OPTIONS = (
    ["export", "--scheme", "{}"],
    ["demo", "--scheme", "{}"],
    ["compare-generators", "--methods", "m1,{}"],
    ["reproduce", "yi-mak-emodb", "--methods", "smote,{}"],
    ["cross-corpus", "--methods", "{}"],
    ["tune", "--scheme", "{}"],
)


@pytest.mark.parametrize("args", GENERATOR_OPTIONS, ids=lambda a: a[0])
def test_a_classifier_only_scheme_is_refused_where_a_generator_is_needed(toy_classifier_registered, args, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([a.format("toy_classifier") for a in args])
    error = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "'toy_classifier' is a classifier-only scheme (toy softmax regression" in error
    assert "tests.toy_scheme:ToyClassifier" in error and "adan" in error  # where it is used, and the generators


def test_a_classifier_only_scheme_registered_at_run_time_is_listed_checked_and_refused(
    toy_classifier_registered, tmp_path, capsys
):
    from serzoo.augmenters import make_augmenter
    from serzoo.experiments.train_export import train_and_export
    from tests.scheme_checks import tiny_data
    from tuning.hypermodel import AugmentationHyperModel

    check_registered("toy_classifier", tmp_path)  # the shared checks that apply to a classifier
    assert "toy_classifier" in scheme_names() and "toy_classifier" not in augmentation_methods()
    assert cli.main(["schemes"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| toy_classifier |")]
    assert "| classifier only (tests.toy_scheme:ToyClassifier) | no | not searched" in listed[0]  # kind, export
    assert len(listed) == 2  # and its training under the schedule (the second table)
    x, y = tiny_data()
    for refused in (
        lambda: augment(x, y, "toy_classifier", k=1),
        lambda: make_augmenter("toy_classifier"),
        lambda: SchemeAugmenter("toy_classifier"),
        lambda: train_and_export(None, "toy_classifier"),
        lambda: AugmentationHyperModel("toy_classifier", input_dim=12, n_classes=3),
    ):
        with pytest.raises(ValueError, match="'toy_classifier' is a classifier-only scheme .* not a generator"):
            refused()


def test_unknown_method_is_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit):
        cli.main(["reproduce", "yi-mak-emodb", "--methods", "smot"])
    assert "unknown smot; choose from: duplicate, noise, smote, gan" in capsys.readouterr().err


def test_import_serzoo_is_cheap_and_exposes_the_public_api():
    code = (
        "import sys, serzoo; assert 'tensorflow' not in sys.modules and 'sklearn' not in sys.modules; "
        "names = ['load_corpus', 'iter_folds', 'augment', 'make_augmenter', 'ExportedGenerator', 'scheme_names', "
        "'register_scheme', 'training_for', 'DivergenceError']; assert set(names) <= set(dir(serzoo)); "
        "assert callable(serzoo.augment) and serzoo.scheme_names()[-1] == 'dann'; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
