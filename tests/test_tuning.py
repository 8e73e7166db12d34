"""``tuning/`` and ``serzoo tune``: the space from the registry, an honest tiny search on the embedded corpus,
best_hparams.json read back by export/reproduce, failed trials, resume after a kill, and KerasTuner's
chief/worker mode on 127.0.0.1."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

TINY_ADAN = {"autoencoder_width": 16, "width": 8, "noise_dim": 4}
DEV = ["speaker01", "speaker02"]


def tune_argv(data_dir, output_dir, *extra):
    return [
        "tune",
        "--dataset",
        "synth_emo/is11",
        "--data-dir",
        str(data_dir),
        "--scheme",
        "adan",
        "--tuner",
        "random",
        "--epochs",
        "1",
        "--classifier",
        "svm",
        "--k",
        "1",
        "--dev-groups",
        ",".join(DEV),
        "--options",
        json.dumps(TINY_ADAN),
        "--no-evaluate",
        "--output-dir",
        str(output_dir),
        *extra,
    ]


@pytest.fixture(scope="module")
def tiny_search(synth_is11, tmp_path_factory):
    """Three random trials of a tiny ADAN (utility with the SVM, inner leave-one-out over two speakers), then
    the evaluation on one evaluation speaker."""
    from serzoo.tuning.search import run_search

    out = tmp_path_factory.mktemp("search")
    result = run_search(
        corpus=synth_is11,
        scheme="adan",
        output_dir=out,
        tuner="random",
        max_trials=3,
        epochs=1,
        classifier="svm",
        k=1,
        dev_groups=DEV,
        fixed_options=TINY_ADAN,
        eval_groups=["speaker03"],
        eval_seeds=(0,),
        baselines=("noise",),
        compare_untuned=False,
        log=lambda *a: None,
    )
    return out, result


def test_space_covers_every_registered_scheme():
    import keras_tuner as kt

    from serzoo.models import get_scheme, scheme_names
    from serzoo.tuning.hypermodel import AugmentationHyperModel

    for name in scheme_names(generator=True):  # a classifier-only scheme is not searched
        spec = get_scheme(name)
        hypermodel = AugmentationHyperModel(name, input_dim=12, n_classes=3, tune_classifier=True, k=None)
        hp = kt.HyperParameters()
        model = hypermodel.build(hp)
        declared = {item.name for item in hp.space}
        expected = {
            spec.latent.name,
            *(k.name for k in spec.knobs),
            *(f"lr_{p}" for p in model.PLAYERS),
            "epochs",
            "k",
            "clf_width",
            "clf_l2",
            "clf_learning_rate",
            "clf_epochs",
        }
        assert declared == expected, name
        setting = hypermodel.setting(hp)
        assert setting.scheme == name and set(setting.player_rates) == set(model.PLAYERS)
        assert setting.options[spec.latent.name] == spec.knob_default(spec.latent)  # starts from the paper's value
    budget = AugmentationHyperModel("wadan", input_dim=12, n_classes=3, epochs_from_budget=True)
    hp = kt.HyperParameters()
    budget.build(hp)
    assert "epochs" not in {item.name for item in hp.space}  # Hyperband's budget is the epochs


def test_per_player_rates_reach_the_optimizers():
    from serzoo.hparams import TunedSetting

    training = TunedSetting("adan", learning_rate=1e-4, player_rates={"discriminator": 1e-5}).training()
    optimizers = training.optimizers("adan", ("generator", "discriminator"))
    rates = {name: float(opt.learning_rate.numpy()) for name, opt in optimizers.items()}
    assert rates == pytest.approx({"generator_optimizer": 1e-4, "discriminator_optimizer": 1e-5})
    assert "discriminatorx0.1" in training.tag
    with pytest.raises(ValueError, match="lacks"):
        TunedSetting("adan", player_rates={"critic": 1e-3}).training().optimizers("adan", ("generator",))


@pytest.mark.slow
def test_utility_compares_with_the_real_only_dnn_at_equal_updates(synth_is11):
    """k sets give the DNN k + 1 times the updates: the baseline of ``utility`` trains as many on real data."""
    from serzoo.hparams import TunedSetting
    from serzoo.tuning.objectives import InnerFolds, classifier_uar, evaluate_trial, matched_real_options

    folds = InnerFolds(synth_is11.subset(DEV))
    dnn = {"hidden": [4], "epochs": 2}
    setting = TunedSetting("adan", TINY_ADAN, epochs=1)
    means, per_fold = evaluate_trial(folds, setting, "utility", classifier="dnn", classifier_options=dnn, k=2)
    for data in folds.folds:
        name, n = data.fold.name, data.y_train.size
        epochs = round(2 * -(-3 * n // 32) / -(-n // 32))  # the updates of 3n rows, as epochs over n rows
        assert epochs > 2
        matched = classifier_uar(data, data.x_train, data.y_train, "dnn", {**dnn, "epochs": epochs}, 0, 7)
        assert per_fold["uar_real_matched"][name] == pytest.approx(matched)
        assert per_fold["utility"][name] == pytest.approx(per_fold["uar_augmented"][name] - matched)
        assert per_fold["utility_unmatched"][name] == pytest.approx(
            per_fold["uar_augmented"][name] - per_fold["uar_real"][name]
        )
    assert means["utility"] == pytest.approx(np.mean(list(per_fold["utility"].values())))
    # constant updates already match; two-stage adds the pretraining's updates; the SVM has none
    assert matched_real_options("dnn", {"epochs": 10, "constant_updates": True}, 100, 1000) == {"epochs": 10}
    assert matched_real_options("dnn", {"epochs": 10, "pretrain_epochs": 4}, 64, 128) == {"epochs": 18}  # 4·4 + 10·2
    assert matched_real_options("svm", {"C": 0.1}, 100, 1000) == {"C": 0.1}


@pytest.mark.slow
def test_tiny_search_finds_the_best_trial_and_writes_best_hparams(tiny_search):
    from serzoo.hparams import load_tuned_setting

    out, result = tiny_search
    assert result["counts"] == {"COMPLETED": 3}
    scores = [t["score"] for t in result["trials"]]
    assert all(np.isfinite(scores))
    best = result["best"]
    assert best["value"] == max(scores)
    best_trial = next(t for t in result["trials"] if t["trial_id"] == best["trial_id"])
    assert best_trial["score"] == max(scores)
    record = json.loads((out / "best_hparams.json").read_text())
    assert record["hyperparameters"] == best_trial["hyperparameters"]
    assert (
        record["protocol"]["development_groups"] == DEV and "speaker01" not in record["protocol"]["evaluation_groups"]
    )
    setting = load_tuned_setting(out / "best_hparams.json")
    assert setting.options["latent_dim"] == best_trial["hyperparameters"]["latent_dim"]
    assert setting.player_rates["encoder"] == pytest.approx(best_trial["hyperparameters"]["lr_encoder"])
    assert setting.options["autoencoder_width"] == 16 and setting.epochs == 1  # fixed options kept
    folds = json.loads((out / "search" / f"trial_{best['trial_id']}" / "folds.json").read_text())
    assert np.mean(list(folds[0]["utility"].values())) == pytest.approx(best["value"])
    assert set(folds[0]["utility"]) == set(DEV)  # inner folds over the development speakers only
    assert any((out / "search" / "tensorboard").rglob("events.out.tfevents*"))


@pytest.mark.slow
def test_search_report_and_evaluation(tiny_search):
    out, result = tiny_search
    text = (out / "report.md").read_text()
    assert "best_hparams.json" in text and "| trial | status | utility | mmd | trts | spread |" in text
    assert all(0 <= trial["metrics"]["spread"] < 10 for trial in result["trials"])
    assert (out / "objective_per_trial.png").stat().st_size > 0 and (out / "hyperparameters.png").exists()
    evaluation = result["evaluation"]
    assert evaluation["groups"] == ["speaker03"]
    assert {row["method"] for row in evaluation["table"]} == {"none", "adan_tuned", "noise"}
    none = next(row for row in evaluation["table"] if row["method"] == "none")
    assert none["gain"] == 0 and 0 <= none["uar"] <= 1


def test_quality_correlations_rank_the_objective_against_recorded_measures():
    from serzoo.tuning.report import quality_correlations

    rows = [{"score": -s, "metrics": {"mmd": s, "trts": 0.5, "utility": -s}} for s in (0.1, 0.4, 0.2, 0.9, 0.3)]
    rows[1]["metrics"]["trts"] = float("nan")  # skipped: four finite pairs are too few for trts
    result = quality_correlations(rows, "utility")
    assert set(result) == {"mmd"} and result["mmd"]["rho"] == pytest.approx(-1) and result["mmd"]["n"] == 5
    assert quality_correlations(rows, "mmd") == {}  # the objective is not correlated with itself
    assert quality_correlations(rows[:4], "utility") == {}
    constant = [{"score": r["score"], "metrics": {"trts": 1 / 7}} for r in rows]
    assert quality_correlations(constant, "utility") == {}  # no ranks to correlate, no nan in the report


@pytest.mark.slow
def test_an_evaluation_reuses_another_search_baselines(tiny_search, synth_is11, tmp_path):
    from serzoo.hparams import load_tuned_setting
    from serzoo.tuning.search import evaluate_setting

    out, result = tiny_search
    setting = load_tuned_setting(out / "best_hparams.json")
    options = dict(
        evaluation_groups=["speaker03"],
        classifier="svm",
        seeds=(0,),
        baselines=("noise",),
        compare_untuned=False,
        output_dir=tmp_path / "evaluation",
    )
    again = evaluate_setting(synth_is11, setting, reuse_from=out / "evaluation", **options)
    assert again["reused_units"] == 2  # none and noise of one seed x one fold; the tuned scheme ran again

    def units(directory):
        lines = (directory / "units.jsonl").read_text().splitlines()[1:]
        return {json.loads(line)["key"]: json.loads(line)["payload"] for line in lines}

    source, reused = units(out / "evaluation"), units(tmp_path / "evaluation")
    assert {key: reused[key] for key in ("seed0/speaker03/none", "seed0/speaker03/noise")} == {
        key: source[key] for key in ("seed0/speaker03/none", "seed0/speaker03/noise")
    }  # their timings too
    assert {row["method"]: row["uar"] for row in again["table"]} == {
        row["method"]: row["uar"] for row in result["evaluation"]["table"]
    }
    with pytest.raises(ValueError, match="other settings .* cannot be reused"):
        evaluate_setting(
            synth_is11,
            setting,
            reuse_from=out / "evaluation",
            **{**options, "classifier": "dnn", "output_dir": tmp_path / "dnn"},
        )


def test_the_report_says_when_the_best_generator_has_collapsed(tmp_path):
    from serzoo.tuning.report import write_search_report

    def trial(trial_id, score, spread):
        return {
            "trial_id": trial_id,
            "status": "COMPLETED",
            "score": score,
            "reason": "",
            "hyperparameters": {"latent_dim": 8},
            "metrics": {"mmd": 4.06, "spread": spread},
        }

    def report(best_spread):
        rows = [trial("00", -0.001, best_spread), trial("01", -0.2, 0.9)]
        result = {
            "scheme": "aae",
            "classifier": "dnn",
            "dataset": "synth/is11",
            "tuner": "random",
            "objective": "utility",
            "direction": "max",
            "tune_classifier": False,
            "seed": 0,
            "trials": rows,
            "protocol": {"development_groups": DEV, "evaluation_groups": ["speaker03"]},
            "counts": {"COMPLETED": 2},
            "failed": [],
            "best": {"trial_id": "00", "value": -0.001, "hyperparameters": {"latent_dim": 8}},
        }
        return write_search_report(tmp_path, result, None)

    assert "**Its generator has collapsed** (spread 1e-07)" in report(1e-7)
    assert "collapsed" not in report(0.8)


def test_the_progress_bar_counts_the_whole_search_finished_trials():
    from types import SimpleNamespace

    from serzoo.tuning.tuners import FoldTrials

    class Base:
        def on_search_begin(self):
            pass

        def on_trial_end(self, trial):
            pass

    class Worker(FoldTrials, Base):
        tuner_id = "worker0"

    trials = [SimpleNamespace(status=s) for s in ("COMPLETED", "FAILED", "RUNNING", "COMPLETED")]
    worker = Worker()
    worker.oracle = SimpleNamespace(max_trials=10, get_best_trials=lambda n: trials[:n])
    worker.on_search_begin()  # resumed: what earlier sessions finished is already done
    assert (worker._bar.n, worker._bar.total) == (3, 10)
    trials[2].status = "COMPLETED"
    trials.append(SimpleNamespace(status="COMPLETED"))  # another worker's trial ended meanwhile
    worker.on_trial_end(trials[2])
    assert worker._bar.n == 5
    worker._bar.close()


@pytest.mark.slow
def test_dnn_evaluation_adds_the_unaugmented_dnn_with_equal_updates(synth_is11, tmp_path):
    from serzoo.hparams import TunedSetting
    from serzoo.tuning.search import evaluate_setting

    setting = TunedSetting("adan", TINY_ADAN, epochs=1, classifier={"dnn": {"hidden": [4], "epochs": 2}}, k=2)
    evaluation = evaluate_setting(
        synth_is11,
        setting,
        evaluation_groups=["speaker03"],
        seeds=(0,),
        baselines=(),
        output_dir=tmp_path,
        compare_untuned=False,
    )
    rows = {row["method"]: row for row in evaluation["table"]}
    assert set(rows) == {"none", "none_matched", "adan_tuned"}
    sizes = [split.y.size for name, split in synth_is11.splits.items() if name != "speaker03"]
    n = sum(sizes)
    epochs = round(2 * -(-3 * n // 32) / -(-n // 32))
    assert f'"epochs": {epochs}' in evaluation["training"]["none_matched"] and epochs > 2
    for row in rows.values():
        assert row["gain_matched"] == pytest.approx(row["uar"] - rows["none_matched"]["uar"])
        assert row["gain"] == pytest.approx(row["uar"] - rows["none"]["uar"])
    assert (tmp_path / "none_matched" / "units.jsonl").exists()  # resumable like the other rows
    from serzoo.tuning.report import evaluation_markdown

    table = [line for line in evaluation_markdown(evaluation) if line.startswith("|")]
    assert "| gain over none_matched (equal updates) |" in table[0]
    assert len(table) == 5 and len({line.count("|") for line in table}) == 1  # header, rule, 3 rows: 7 columns each


@pytest.mark.slow
def test_best_hparams_feed_export_and_reproduce(tiny_search, tmp_path):
    from serzoo.augmenters import tuned_augmenter
    from serzoo.hparams import TunedSetting, load_tuned_setting

    out, _ = tiny_search
    setting = load_tuned_setting(out / "best_hparams.json")
    augmenter = tuned_augmenter(setting, seed=0)
    assert dict(augmenter.training.rate_scales) == pytest.approx(
        {player: rate / setting.learning_rate for player, rate in setting.player_rates.items()}
    )
    assert augmenter.options["latent_dim"] == setting.options["latent_dim"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "serzoo-hparams/1", "setting": {"scheme": "adan", "epoch": 3}}))
    with pytest.raises(ValueError, match="unknown field.*epoch"):
        load_tuned_setting(bad)
    assert TunedSetting("adan", epochs=3).key != TunedSetting("adan", epochs=4).key


def test_every_trial_failing_exits_nonzero_with_the_first_error(
    synth_is11, tfds_data_dir, tmp_path, capsys, monkeypatch
):
    import serzoo.tuning.hypermodel
    from serzoo.cli import main

    def broken(*args, **kwargs):
        raise ValueError("the measure broke")

    monkeypatch.setattr(serzoo.tuning.hypermodel, "evaluate_trial", broken)
    code = main(tune_argv(tfds_data_dir, tmp_path, "--max-trials", "2", "--jobs", "1"))
    assert code == 1
    assert "every trial of the search failed" in capsys.readouterr().err
    report = (tmp_path / "report.md").read_text()
    assert report.count("failed: ValueError: the measure broke") >= 2
    # a setting that can never work is refused before the search, not trial after trial
    bad = ["--classifier", "dnn", "--classifier-options", '{"engine": "nope"}', "--max-trials", "2", "--jobs", "1"]
    assert main(tune_argv(tfds_data_dir, tmp_path / "bad", *bad)) == 2
    assert "--classifier-options is not a valid dnn setting (DnnClassifier: unknown engine='nope'" in (
        capsys.readouterr().err
    )
    assert main(tune_argv(tfds_data_dir, tmp_path / "bad", "--options", '{"latent_dim": -5}')) == 2
    assert "--options: adan cannot be built with" in capsys.readouterr().err and not (tmp_path / "bad").exists()


def test_reload_reruns_interrupted_trials_only(synth_is11, tmp_path):
    from serzoo.tuning.objectives import kt_objective
    from serzoo.tuning.search import build_search
    from serzoo.tuning.tuners import distributed_role, forget_finished_retries, make_tuner

    hypermodel, _, _ = build_search(
        corpus=synth_is11, scheme="adan", k=1, epochs=1, fixed_options=TINY_ADAN, dev_groups=DEV, with_folds=False
    )

    def tuner():
        return make_tuner(
            "random", hypermodel, kt_objective("utility"), directory=tmp_path, project_name="p", max_trials=3
        )

    with distributed_role(None, None, None):
        first = tuner()
        finished = first.oracle.create_trial("local0")  # the state a chief saves at a finished trial's end
        interrupted = first.oracle.create_trial("local1")  # a worker killed mid-trial
        finished.status = "COMPLETED"
        first.oracle._save_trial(finished)
        first.oracle.save()
        first.save()
        reloaded = tuner()
        assert sorted(reloaded.oracle._retry_queue) == sorted([finished.trial_id, interrupted.trial_id])  # KT 1.4
        assert forget_finished_retries(reloaded.oracle) == [interrupted.trial_id]
        assert reloaded.oracle.create_trial("chief").trial_id == interrupted.trial_id
        assert reloaded.oracle.create_trial("other").trial_id not in (finished.trial_id, interrupted.trial_id)


def _completed(project: pathlib.Path) -> list[str]:
    done = []
    for path in project.glob("trial_*/trial.json"):
        try:
            if json.loads(path.read_text())["status"] == "COMPLETED":
                done.append(path.parent.name)
        except (json.JSONDecodeError, KeyError):  # being written
            pass
    return done


@pytest.mark.slow  # two processes with TensorFlow; the reload logic itself is covered by the test above
def test_killed_search_resumes_without_redoing_finished_trials(synth_is11, tfds_data_dir, tmp_path):
    argv = [sys.executable, "-m", "serzoo.cli", *tune_argv(tfds_data_dir, tmp_path, "--max-trials", "3", "--jobs", "1")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while not _completed(tmp_path / "search") and process.poll() is None and time.time() < deadline:
        time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished_before = _completed(tmp_path / "search")
    assert finished_before, process.stderr.read().decode()[-2000:]
    scores = {t: json.loads((tmp_path / "search" / t / "trial.json").read_text())["score"] for t in finished_before}
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["counts"] == {"COMPLETED": 3}
    runs = [json.loads(line)["trial_id"] for line in (tmp_path / "search" / "workers" / "chief.jsonl").open()]
    for trial in finished_before:  # kept, not run again
        assert runs.count(trial.removeprefix("trial_")) == 1
        assert json.loads((tmp_path / "search" / trial / "trial.json").read_text())["score"] == scores[trial]


@pytest.mark.slow
def test_local_chief_and_two_workers_share_the_trials(synth_is11, tfds_data_dir, tmp_path):
    argv = [sys.executable, "-m", "serzoo.cli", *tune_argv(tfds_data_dir, tmp_path, "--max-trials", "4", "--jobs", "2")]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    workers = tmp_path / "search" / "workers"
    ran = {path.stem: [json.loads(line)["trial_id"] for line in path.open()] for path in workers.glob("*.jsonl")}
    assert set(ran) == {"local0", "local1"}, ran  # the chief runs no trial; the final reload runs none either
    assert all(ran.values()), ran  # both workers completed trials
    result = json.loads((tmp_path / "results.json").read_text())
    assert result["counts"] == {"COMPLETED": 4}
    assert sorted(t for trials in ran.values() for t in trials) == sorted(t["trial_id"] for t in result["trials"])


@pytest.mark.slow  # two searches and two evaluations (about a minute alone)
def test_swap_halves_evaluates_every_fold_with_settings_chosen_without_it(synth_is11, tmp_path):
    from serzoo.tuning.search import run_search, run_swap_halves

    corpus = synth_is11.subset(["speaker01", "speaker02", "speaker03", "speaker04"])

    def search(dev, out):
        return run_search(
            corpus=corpus,
            scheme="adan",
            output_dir=out,
            dev_groups=dev,
            tuner="random",
            max_trials=2,
            epochs=1,
            classifier="svm",
            k=1,
            tune_recipe=True,
            fixed_options=TINY_ADAN,
            eval_seeds=(0,),
            baselines=("noise",),
            compare_untuned=False,
            log=lambda *a: None,
        )

    result = run_swap_halves(search, corpus=corpus, output_dir=tmp_path, log=lambda *a: None)
    halves = result["halves"]
    assert [h["development_groups"] for h in halves] == [["speaker01", "speaker02"], ["speaker03", "speaker04"]]
    for half in halves:
        assert not set(half["development_groups"]) & set(half["evaluation_groups"])
        assert any(name.startswith("recipe_") for name in half["best"]["hyperparameters"])
        assert set(half["best"]["setting"]["recipe"]) >= {"synthetic_weight", "calibration"}
    assert {row["method"]: row["n_folds"] for row in result["table"]} == {"none": 4, "adan_tuned": 4, "noise": 4}
    pooled = json.loads((tmp_path / "results.json").read_text())
    assert pooled["protocol"] == "swap-halves" and "adan_tuned" in (tmp_path / "report.md").read_text()


def test_a_search_keeps_the_base_training_it_started_with(tmp_path):
    """The first run pins the schedule's training in base_training.json; a rerun under another schedule (or after the
    schedule's values changed) still trains from the pinned one and says so."""
    from serzoo.schedules import training_for
    from serzoo.tuning.search import BASE_FILE, search_base

    first = search_base(tmp_path, "wadan", "serzoo", log=lambda *a: None)
    assert first == training_for("wadan", "serzoo") and (tmp_path / BASE_FILE).exists()
    said = []
    again = search_base(tmp_path, "wadan", "paper", log=said.append)
    assert again == first != training_for("wadan", "paper")
    assert said and "pinned" in said[0]


def test_classifier_search_on_each_half_feeds_the_recipe_study_without_its_own_speakers(synth_is11, tmp_path):
    """``serzoo tune --scheme none --tune-classifier --protocol swap-halves``: each half writes best_classifier.json
    with the best trial's options; the evaluation compares the tuned classifier with its defaults on the other
    half; the recipe study gives every fold the setting searched without its speaker."""
    from serzoo.experiments.recipe_study import fold_classifier_options
    from serzoo.hparams import load_classifier_setting
    from serzoo.tuning.search import run_search, run_swap_halves

    corpus = synth_is11.subset(["speaker01", "speaker02", "speaker03", "speaker04"])

    def search(dev, out):
        return run_search(
            corpus=corpus,
            scheme=None,
            objective="uar",
            tune_classifier=True,
            classifier="svm",
            output_dir=out,
            dev_groups=dev,
            tuner="random",
            max_trials=3,
            eval_seeds=(0,),
            log=lambda *a: None,
        )

    result = run_swap_halves(search, corpus=corpus, output_dir=tmp_path, log=lambda *a: None)
    assert {row["method"]: row["n_folds"] for row in result["table"]} == {"none": 4, "tuned_svm": 4}
    settings = []
    for half, name in zip(result["halves"], ("A", "B")):
        setting = load_classifier_setting(tmp_path / f"half_{name}" / "best_classifier.json")
        assert setting.options == {"c": half["best"]["hyperparameters"]["clf_c"]}
        trials = json.loads((tmp_path / f"half_{name}" / "results.json").read_text())["trials"]
        assert half["best"]["value"] == max(t["score"] for t in trials if t["status"] == "COMPLETED")
        assert list(setting.development_groups) == half["development_groups"]
        settings.append(setting)
    folds = ["speaker01", "speaker02", "speaker03", "speaker04"]
    chosen = fold_classifier_options(settings, folds, "synth_emo/is11", ["svm"])
    assert chosen == {f: {"svm": settings[0 if f in ("speaker03", "speaker04") else 1].options} for f in folds}
    with pytest.raises(ValueError, match="no svm setting serves folds"):
        fold_classifier_options(settings[:1], folds, "synth_emo/is11", ["svm"])
    with pytest.raises(ValueError, match="already has a svm setting"):
        fold_classifier_options([settings[0], settings[0]], folds, "synth_emo/is11", ["svm"])
    with pytest.raises(ValueError, match="tuned on synth_emo/is11, but this study runs on emodb/is11"):
        fold_classifier_options(settings, folds, "emodb/is11", ["svm"])


def test_a_bad_classifier_file_names_the_field(tmp_path):
    from serzoo.hparams import load_classifier_setting, write_classifier_setting

    protocol = {"development_groups": ["a"], "evaluation_groups": ["b"]}
    good = write_classifier_setting(
        tmp_path / "good.json", "dnn", {"epochs": 400}, dataset="emodb/is11", protocol=protocol
    )
    assert load_classifier_setting(good).options == {"epochs": 400}
    bad = write_classifier_setting(
        tmp_path / "bad.json", "dnn", {"epoch": 400}, dataset="emodb/is11", protocol=protocol
    )
    with pytest.raises(ValueError, match="bad.json: field 'options' is not a valid dnn setting"):
        load_classifier_setting(bad)
    no_groups = write_classifier_setting(tmp_path / "groups.json", "svm", {}, dataset="emodb/is11", protocol={})
    with pytest.raises(ValueError, match="groups.json: field 'protocol.development_groups'"):
        load_classifier_setting(no_groups)
    with pytest.raises(FileNotFoundError, match="best_classifier.json"):
        load_classifier_setting(tmp_path / "missing.json")


def test_nested_search_tests_every_group_once_with_settings_searched_without_it(synth_is11, tmp_path):
    from serzoo.tuning.search import run_nested, run_search

    groups = ["speaker01", "speaker02", "speaker03"]
    corpus = synth_is11.subset(groups)
    searched = []

    def search(dev, out):
        searched.append(list(dev))
        return run_search(
            corpus=corpus,
            scheme=None,
            objective="uar",
            tune_classifier=True,
            classifier="svm",
            output_dir=out,
            dev_groups=dev,
            tuner="random",
            max_trials=2,
            eval_seeds=(0,),
            log=lambda *a: None,
        )

    result = run_nested(search, corpus=corpus, output_dir=tmp_path, log=lambda *a: None)
    assert searched == [[g for g in groups if g != held_out] for held_out in groups]
    assert [h["evaluation_groups"] for h in result["halves"]] == [[g] for g in groups]
    assert {row["method"]: row["n_folds"] for row in result["table"]} == {"none": 3, "tuned_svm": 3}
    assert all((tmp_path / f"outer_{g}" / "best_classifier.json").is_file() for g in groups)
    assert (tmp_path / "report.md").read_text().startswith("# Nested search per outer fold: the classifier alone")


def test_nested_refuses_dev_groups(synth_is11, tfds_data_dir, tmp_path, capsys):
    from serzoo.cli import main

    code = main(
        [
            "tune",
            "--dataset",
            "synth_emo/is11",
            "--data-dir",
            str(tfds_data_dir),
            "--scheme",
            "none",
            "--tune-classifier",
            "--classifier",
            "svm",
            "--protocol",
            "nested",
            "--dev-groups",
            "speaker01",
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert code == 2 and "drop --dev-groups" in capsys.readouterr().err


def test_reuse_baselines_from_a_directory_without_an_evaluation_is_refused_before_the_search(
    synth_is11, tfds_data_dir, tmp_path, capsys
):
    from serzoo.cli import main

    code = main(
        [
            "tune",
            "--dataset",
            "synth_emo/is11",
            "--data-dir",
            str(tfds_data_dir),
            "--scheme",
            "adan",
            "--output-dir",
            str(tmp_path / "search"),
            "--reuse-baselines",
            str(tmp_path / "typo"),
        ]
    )
    assert code == 2 and "typo/evaluation/units.jsonl" in capsys.readouterr().err
    assert not (tmp_path / "search").exists()  # no trial ran


# ---------------------------------------------------------------- issue 35: the search's directory, options, workers


@pytest.fixture(scope="module")
def one_trial_search(synth_is11, tfds_data_dir, tmp_path_factory):
    """A finished one-trial search made by ``serzoo tune`` (copy it before changing it)."""
    from serzoo.cli import main

    out = tmp_path_factory.mktemp("one_trial") / "search_dir"
    assert main(tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1")) == 0
    return out


def _copy(source, tmp_path) -> pathlib.Path:
    import shutil

    return pathlib.Path(shutil.copytree(source, tmp_path / "copy"))


def test_tune_refuses_an_output_dir_that_is_not_a_search(synth_is11, tfds_data_dir, tmp_path, capsys):
    """Issue 35 case 2: an unrelated folder's report.md and results.json were replaced without a word."""
    from serzoo.cli import main

    (tmp_path / "report.md").write_text("my thesis notes")
    (tmp_path / "results.json").write_text('{"mine": 1}')
    code = main(tune_argv(tfds_data_dir, tmp_path, "--max-trials", "1", "--jobs", "1"))
    assert code == 2 and "holds no search (tune.json)" in capsys.readouterr().err
    assert (tmp_path / "report.md").read_text() == "my thesis notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md", "results.json"]  # nothing added either
    code = main(tune_argv(tfds_data_dir, tmp_path, "--max-trials", "1", "--jobs", "1", "--fresh"))
    assert code == 2 and (tmp_path / "results.json").read_text() == '{"mine": 1}'  # --fresh is no licence


def test_a_second_search_of_one_output_dir_is_refused_while_the_first_runs(synth_is11, tfds_data_dir, tmp_path, capsys):
    """Issue 35 case 3: two searches on one directory both ran, listed every trial twice and one's "best" was
    the other's. The directory is locked; the second is refused at once, naming the process that holds it."""
    from serzoo.cli import main

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from serzoo.staging import exclusive_lock\n"
            f"with exclusive_lock({str(tmp_path / '.tune.lock')!r}, ''):\n"
            "    print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code = main(tune_argv(tfds_data_dir, tmp_path, "--max-trials", "1", "--jobs", "1"))
        err = capsys.readouterr().err
        assert code == 2 and "another serzoo tune is searching in" in err and f"process {holder.pid}" in err
        assert not (tmp_path / "search").exists()
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_resuming_a_search_with_other_options_is_refused_or_starts_fresh(
    one_trial_search, tfds_data_dir, tmp_path, capsys
):
    """Issue 35 case 4: a resume with another --objective read the old trials' values as the new objective, with
    another --scheme it gave the old scheme's rates to the new one. The directory records what it searches."""
    from serzoo.cli import main

    out = _copy(one_trial_search, tmp_path)
    record = json.loads((out / "tune.json").read_text())["search"]
    assert record["objective"] == "utility" and record["scheme"] == "adan" and record["development_groups"] == DEV
    before = (out / "best_hparams.json").read_text()
    assert main(tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1", "--objective", "mmd")) == 2
    err = capsys.readouterr().err
    assert 'objective "utility" -> "mmd"' in err and "--fresh" in err
    argv = tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1")
    assert main([*argv[: argv.index("--scheme") + 1], "wadan", *argv[argv.index("--scheme") + 2 :]]) == 2
    assert 'scheme "adan" -> "wadan"' in capsys.readouterr().err
    assert (out / "best_hparams.json").read_text() == before  # untouched
    assert main(tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1")) == 0  # same options: resumes
    assert main(tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1", "--objective", "mmd", "--fresh")) == 0
    assert json.loads((out / "best_hparams.json").read_text())["objective"]["name"] == "mmd"
    assert json.loads((out / "tune.json").read_text())["search"]["objective"] == "mmd"
    assert json.loads((out / "results.json").read_text())["counts"] == {"COMPLETED": 1}  # the old trial is gone


@pytest.mark.slow
@pytest.mark.parametrize("name", ["oracle.json", "trial.json", "base_training.json"])
def test_a_project_file_cut_short_is_named(one_trial_search, tfds_data_dir, tmp_path, capsys, name):
    """Issue 35 case 18: a truncated oracle.json, trial.json or base_training.json gave a JSON error naming no file.
    A cut trial.json costs that trial only (it counts as failed); the others name the file and the fix."""
    from serzoo.cli import main

    out = _copy(one_trial_search, tmp_path)
    path = {
        "oracle.json": out / "search" / "oracle.json",
        "trial.json": next((out / "search").glob("trial_*/trial.json")),
        "base_training.json": out / "base_training.json",
    }[name]
    path.write_text(path.read_text()[:40])
    code = main(tune_argv(tfds_data_dir, out, "--max-trials", "2", "--jobs", "1"))
    err = capsys.readouterr()
    if name == "trial.json":
        assert code == 0 and f"{path} was cut short" in err.out
        result = json.loads((out / "results.json").read_text())
        assert result["counts"] == {"FAILED": 1, "COMPLETED": 1}
        assert "cut short by an interruption" in result["failed"][0]["reason"]
    else:
        assert code == 2 and f"{path} is not valid JSON" in err.err and "Traceback" not in err.err
        assert ("--fresh" if name == "oracle.json" else "delete it") in err.err


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--max-trials", "0"), "--max-trials must be a positive integer, got 0"),
        (("--max-trials", "-1"), "--max-trials must be a positive integer, got -1"),
        (("--jobs", "0"), "--jobs must be a positive integer, got 0"),
        (("--baselines", "smot"), "--baselines smot: unknown"),
        (("--eval-groups", "speaker6"), "--eval-groups ['speaker6'] are not evaluation groups"),
    ],
)
def test_tune_options_that_run_forever_or_fail_late_are_refused_before_any_work(
    synth_is11, tfds_data_dir, tmp_path, capsys, extra, message
):
    """Issue 35 cases 10, 19, 20: --max-trials 0 searched forever, -1 ran nothing and blamed the trials, --jobs 0,
    an unknown evaluation group or baseline failed only after the whole search."""
    from serzoo.cli import main

    argv = [a for a in tune_argv(tfds_data_dir, tmp_path / "out", "--jobs", "1", *extra) if a != "--no-evaluate"]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_local_workers_are_capped_by_trials_and_cores(monkeypatch):
    """Issue 35 case 12: --jobs 6 --max-trials 1 started six workers (5.7 GB) of which five never ran a trial."""
    from serzoo.tuning.parallel import worker_count

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    said = []
    assert worker_count(6, 1, log=said.append) == 1 and "running 1 worker (1 trial)" in said[-1]
    assert worker_count(6, 30, log=said.append) == 4 and "(4 cores)" in said[-1]
    assert worker_count(3, None, log=said.append) == 3 and len(said) == 2  # nothing to say


def test_a_worker_without_a_chief_times_out_naming_the_address(synth_is11, tfds_data_dir, tmp_path, capsys):
    """Issue 35 case 11: a worker whose chief is not there printed nothing and waited (KerasTuner: up to an hour)."""
    from serzoo.cli import main
    from serzoo.tuning.parallel import free_port

    address = f"127.0.0.1:{free_port()}"
    start = time.monotonic()
    argv = tune_argv(tfds_data_dir, tmp_path, "--role", "worker", "--oracle", address, "--oracle-timeout", "6")
    assert main(argv) == 2
    out = capsys.readouterr()
    assert f"no chief answers at {address} after 6 s" in out.err and "waiting up to 6 s" in out.out
    assert time.monotonic() - start < 60


def test_stopping_local_workers_asks_them_first():
    """Issue 35 case 10: the chief and workers of a local search end with it; SIGTERM (which they handle like
    Ctrl-C, keeping finished trials) comes first, SIGKILL only for one that does not stop."""
    from serzoo.tuning.parallel import stop

    code = "import signal, sys, time\n" + "signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))\n" + "time.sleep(60)"
    polite = subprocess.Popen([sys.executable, "-c", code])
    stubborn = subprocess.Popen([sys.executable, "-c", code.replace("sys.exit(143)", "None")])
    time.sleep(1.0)
    stop([polite, stubborn], grace=3)
    assert polite.returncode == 143 and stubborn.returncode == -signal.SIGKILL


def test_disk_full_during_a_search_report_is_one_line_and_leaves_no_partial_figure(
    one_trial_search, tfds_data_dir, tmp_path, capsys, monkeypatch
):
    """Issue 35 case 16: a full disk during `tune` left a truncated PNG, no report.md, and a raw traceback."""
    import errno

    import matplotlib.figure

    from serzoo.cli import main

    out = _copy(one_trial_search, tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def full(self, path, **kwargs):
        with open(path, "wb") as stream:
            stream.write(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full)
    assert main(tune_argv(tfds_data_dir, out, "--max-trials", "1", "--jobs", "1", "--report-only")) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"serzoo tune: error: cannot write {out / 'objective_per_trial.png'}: No space left on device"
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before  # whole old files, no new ones


@pytest.mark.slow  # a local chief and two workers with TensorFlow, stopped mid-search (minutes on a loaded machine)
def test_sigterm_ends_a_local_search_and_its_processes_without_sigkill(synth_is11, tfds_data_dir, tmp_path):
    """Issue 35 case 10: a search ignored SIGTERM (SIGKILL was needed). Its chief and workers handled SIGTERM but
    then hung in the interpreter's final garbage collection (gRPC), so they had to be killed 30 s later. Now every
    process of the search ends on SIGTERM alone, with exit code 143, and no child is left."""
    argv = tune_argv(tfds_data_dir, tmp_path, "--max-trials", "20", "--jobs", "2")
    process = subprocess.Popen(
        [sys.executable, "-m", "serzoo.cli", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 600
    while not list((tmp_path / "search").glob("trial_*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 3, children  # the chief and two workers
    process.send_signal(signal.SIGTERM)
    err = process.communicate(timeout=120)[1]
    assert process.returncode == 143, err[-2000:]
    assert "killed local search processes" not in err and "Traceback" not in err, err[-2000:]
    assert "serzoo tune: terminated" in err
    assert not [pid for pid in children if pathlib.Path(f"/proc/{pid}").exists()]
