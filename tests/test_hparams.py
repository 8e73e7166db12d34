"""``best_hparams.json`` and ``best_classifier.json`` are checked whole, before any work, naming the file and the field
(issue 35 cases 6, 7, 14, 17), by the one loader that ``export --hparams``, ``reproduce --hparams /
--classifier-hparams`` and ``tune`` share."""

import json
import math
import re

import pytest

from serzoo.hparams import TunedSetting, load_classifier_setting, load_tuned_setting, write_tuned_setting

TINY = {"latent_dim": 4, "noise_dim": 4, "autoencoder_width": 16, "width": 8}
PROTOCOL = {"development_groups": ["speaker01"], "evaluation_groups": ["speaker02"]}


def hparams_file(path, dataset="synth_emo/is11", **setting_fields):
    """A best_hparams.json as serzoo tune writes it, with some fields of its setting replaced (even by bad values)."""
    write_tuned_setting(path, TunedSetting("adan", dict(TINY), epochs=2, learning_rate=1e-3), dataset=dataset)
    record = json.loads(path.read_text())
    record["setting"].update(setting_fields)
    path.write_text(json.dumps(record))
    return path


def classifier_file(path, classifier="dnn", **options):
    record = {
        "format": "serzoo-classifier/1",
        "classifier": classifier,
        "options": options,
        "dataset": "synth_emo/is11",
        "protocol": PROTOCOL,
    }
    path.write_text(json.dumps(record))  # json.dumps writes NaN as NaN, as a hand-edited file may hold it
    return path


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"epochs": 2.7}, "field 'epochs' must be an int >= 1, got 2.7"),
        ({"epochs": "many"}, "field 'epochs' must be an int >= 1, got 'many'"),
        ({"batch_size": 0}, "field 'batch_size' must be an int >= 1, got 0"),
        ({"learning_rate": "abc"}, "field 'learning_rate' must be a finite number > 0, got 'abc'"),
        ({"learning_rate": math.inf}, "field 'learning_rate' must be a finite number > 0, got inf"),
        ({"player_rates": {"generator": math.nan}}, "field 'player_rates.generator' must be a finite number > 0"),
        ({"player_rates": {"critic": 1e-3}}, "field 'setting.player_rates': adan has no player\\(s\\) \\['critic'\\]"),
        ({"options": {**TINY, "alpha": math.nan}}, "field 'options.alpha' must be a finite number, got nan"),
        ({"options": {**TINY, "latent_dim": -5}}, "field 'setting.options': adan cannot be built with"),
        ({"options": {**TINY, "optionz": 1}}, "field 'setting.options': adan cannot be built with .*optionz"),
        ({"k": 0}, "field 'k' must be an int >= 1, got 0"),
        ({"classifier": {"dnn": {"epochs": -5}}}, "field 'classifier.dnn' is not a valid dnn setting"),
        ({"scheme": "wadn"}, "field 'scheme': unknown scheme 'wadn'"),
    ],
    ids=lambda v: str(v)[:40],
)
def test_best_hparams_bad_fields_are_named(tmp_path, fields, message):
    """Issue 35 cases 6 and 14: epochs 2.7 trained 2 epochs; batch_size 0, "abc", NaN/inf and latent_dim -5 gave
    raw errors (ZeroDivisionError, a Keras "units=-5", messages about rate_scales) naming neither file nor field."""
    path = hparams_file(tmp_path / "best_hparams.json", **fields)
    with pytest.raises(ValueError, match=f"{re.escape(str(path))}.*{message}"):
        load_tuned_setting(path)


def test_best_hparams_from_another_dataset_are_refused(tmp_path):
    """Issue 35 case 6: a file searched on synth_emo/egemaps was used for emodb/is11 without a word (a
    best_classifier.json from another dataset is refused; now both are)."""
    path = hparams_file(tmp_path / "best_hparams.json", dataset="synth_emo/egemaps")
    assert load_tuned_setting(path, dataset="synth_emo/egemaps").scheme == "adan"
    with pytest.raises(ValueError, match="searched on synth_emo/egemaps, but this run uses emodb/is11"):
        load_tuned_setting(path, dataset="emodb/is11")


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--epochs", "1"],
        ["reproduce", "yi-mak-emodb", "--methods", "noise", "--classifiers", "svm"],
    ],
    ids=["export", "reproduce"],
)
def test_a_bad_hparams_file_is_refused_before_the_corpus_loads(tmp_path, monkeypatch, capsys, command):
    """Issue 35 case 14: unknown options were refused only after the corpus had loaded (and been built)."""
    import serzoo.data
    from serzoo.cli import main

    def no_corpus(*args, **kwargs):
        raise AssertionError("the corpus was loaded before the --hparams file was checked")

    monkeypatch.setattr(serzoo.data, "load_corpus", no_corpus)
    monkeypatch.setattr("serzoo.experiments.yi_mak.load_corpus", no_corpus)
    bad = hparams_file(tmp_path / "best_hparams.json", options={**TINY, "optionz": 1})
    other = hparams_file(tmp_path / "other.json", dataset="synth_emo/egemaps")
    for path, message in ((bad, "optionz"), (other, "searched on synth_emo/egemaps")):
        where = ["--export-root", str(tmp_path)] if command[0] == "export" else ["--output-dir", str(tmp_path / "o")]
        argv = [*command, "--dataset", "synth_emo/is11", "--data-dir", str(tmp_path), "--hparams", str(path), *where]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"{path}: field" in err and message in err and "Traceback" not in err


def test_export_hparams_honours_explicit_training_options(synth_is11, tmp_path, monkeypatch):
    """Issue 35 case 6: ``export --hparams FILE --epochs 7`` dropped --epochs (the manifest said the file's 2)."""
    from serzoo import augmenters
    from serzoo.experiments.train_export import train_and_export

    trained = []

    def record(self, x, y, n_classes):
        trained.append(self.training)
        raise KeyboardInterrupt  # no need to train: what it would train with is recorded

    monkeypatch.setattr(augmenters.SchemeAugmenter, "fit", record)
    setting = load_tuned_setting(hparams_file(tmp_path / "best_hparams.json", player_rates={"generator": 1e-4}))
    for overrides in ({}, {"epochs": 7}, {"learning_rate": 5e-4, "batch_size": 16}):
        with pytest.raises(KeyboardInterrupt):
            train_and_export(synth_is11, "adan", setting=setting, root=tmp_path / "out", **overrides)
    default, epochs, rate = trained
    assert default.epochs == 2 and dict(default.rate_scales) == pytest.approx({"generator": 0.1})
    assert epochs.epochs == 7 and epochs.learning_rate == 1e-3
    assert (rate.epochs, rate.learning_rate, rate.batch_size, rate.rate_scales) == (2, 5e-4, 16, ())


@pytest.mark.parametrize(
    "options, field",
    [
        ({"learning_rate": math.nan}, "learning_rate must be a finite number > 0, got nan"),
        ({"epochs": -5}, "epochs must be an int >= 1, got -5"),
        ({"epochs": "many"}, "epochs must be an int >= 1, got 'many'"),
        ({"hidden": [100, 0]}, "every width of hidden must be an int >= 1, got 0"),
        ({"l2": -1e-3}, "l2 must be a finite number >= 0"),
        ({"constant_updates": "yes"}, "constant_updates must be true or false"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_best_classifier_options_are_checked_before_any_unit(tmp_path, options, field):
    """Issue 35 cases 7 and 17: learning_rate NaN or epochs -5 produced a whole report from a broken DNN with exit 0;
    epochs "many" crashed after 10 of 20 units."""
    path = classifier_file(tmp_path / "best_classifier.json", **options)
    with pytest.raises(ValueError, match=f"{path}: field 'options' is not a valid dnn setting .*{field}"):
        load_classifier_setting(path)


def test_the_svm_setting_is_checked_too(tmp_path):
    path = classifier_file(tmp_path / "best_classifier.json", classifier="svm", c=-1.0)
    with pytest.raises(ValueError, match="field 'options' is not a valid svm setting .*c must be a finite number > 0"):
        load_classifier_setting(path)
