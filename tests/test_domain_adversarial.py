"""The domain-adversarial network (serzoo.models.domain_adversarial): losses against hand computations, Ganin's
schedule and its horizon, batches without labelled rows, a connected domain player, the supervised twin (= the
DNN), equal updates, save/load in a fresh process, and bad input."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from serzoo.models.classifiers import DnnClassifier
from serzoo.models.domain_adversarial import (
    DannClassifier,
    build_domain_adversarial,
    pack_targets,
    reversal_weight,
)
from tests.scheme_checks import N_CLASSES, tiny_data

#: Tiny networks and a short, fast training (4 labelled batches per epoch).
TINY = {"hidden": (16,), "domain_hidden": (8,), "epochs": 10, "batch_size": 16, "learning_rate": 3e-3, "seed": 0}


def separable_domains():
    """Labelled source rows (domain 0) and unlabelled target rows (domain 1) whose domain shows in 6 of the 12
    features (+2), unrelated to the emotion classes."""
    x, y = tiny_data(60, seed=0)
    x_target, y_target = tiny_data(60, seed=1)
    x_target[:, 6:] += 2.0
    return x, y, x_target, y_target


def tiny_model(**options):
    return build_domain_adversarial(12, N_CLASSES, widths=(16,), domain_widths=(8,), **options)


@pytest.fixture(scope="module")
def trained():
    """The DNN and the DANN at adversarial weights 0 (the twin) and 1 on :func:`separable_domains`."""
    x, y, x_target, _ = separable_domains()
    dann = {w: DannClassifier(**TINY, adversarial_weight=w).fit(x, y, N_CLASSES, x_unlabelled=x_target) for w in (0, 1)}
    dnn = DnnClassifier(**{k: v for k, v in TINY.items() if k != "domain_hidden"}).fit(x, y, N_CLASSES)
    return dnn, dann


def test_schedule_is_ganins():
    np.testing.assert_allclose(float(reversal_weight(0.0)), 0.0, atol=1e-7)
    np.testing.assert_allclose(float(reversal_weight(0.5, 2.0)), 2.0 * (2 / (1 + np.exp(-5.0)) - 1), rtol=1e-6)
    np.testing.assert_allclose(float(reversal_weight(1.0)), 2 / (1 + np.exp(-10.0)) - 1, rtol=1e-6)  # 0.99909


def test_the_ramp_spans_each_fit_unless_ramp_steps_is_given():
    x, y = tiny_data(48)
    targets = pack_targets(y, np.arange(48) % 2)
    seen = []
    watch = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda b, logs: seen.append(float(model.current_weight()))
    )
    model = tiny_model(adversarial_weight=0.5)
    model.compile()
    model.fit(x, targets, batch_size=16, epochs=3, verbose=0, callbacks=[watch])  # 9 steps: p = 0/9 .. 8/9
    np.testing.assert_allclose(seen, [float(reversal_weight(t / 9, 0.5)) for t in range(9)], rtol=1e-5, atol=1e-7)
    assert float(model.planned_steps) == 9 and float(model.steps_done) == 9
    model.fit(x, targets, batch_size=16, epochs=1, verbose=0)  # a further fit ramps on to its own end
    assert float(model.planned_steps) == 12 and float(model.steps_done) == 12

    fixed = tiny_model(ramp_steps=4)
    fixed.compile()
    fixed.fit(x, targets, batch_size=16, epochs=2, verbose=0)  # 6 steps: p = min(t / 4, 1)
    assert float(fixed.planned_steps) == 4 and float(fixed.current_weight()) == pytest.approx(float(reversal_weight(1)))
    no_ramp = tiny_model(ramp_steps=0)  # full weight from the first step
    assert float(no_ramp.current_weight()) == pytest.approx(float(reversal_weight(1.0)))

    import tensorflow as tf

    unknown_length = tf.data.Dataset.from_tensor_slices((x, targets)).filter(lambda *_: True).batch(16)
    with pytest.raises(ValueError, match="needs the run's length.*pass steps_per_epoch"):
        model.fit(unknown_length, epochs=1, shuffle=False, verbose=0)


def _softmax_log(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def test_losses_against_hand_computations():
    model = tiny_model(ramp_steps=0, adversarial_weight=0.7, class_weights=[1.0, 2.0, 0.5])
    x, y = tiny_data(8)
    labels = np.array([0, 1, -1, 2, -1, 1, 0, -1])
    domains = np.array([0, 0, 1, 0, 1, 0, 0, 1])
    w1, b1 = model.encoder.get_weights()
    wc, bc = model.classifier.get_weights()
    wd1, bd1, wd2, bd2 = model.domain_classifier.get_weights()
    features = np.maximum(x @ w1 + b1, 0)
    class_log = _softmax_log(features @ wc + bc)
    domain_log = _softmax_log(np.maximum(features @ wd1 + bd1, 0) @ wd2 + bd2)
    labelled = labels >= 0
    weights = np.array([1.0, 2.0, 0.5])[labels[labelled]]
    expected_y = -(weights * class_log[labelled, labels[labelled]]).sum() / labelled.sum()
    expected_d = -domain_log[np.arange(8), domains].mean()
    got = {k: float(v) for k, v in model.compute_losses(x, pack_targets(labels, domains)).items()}
    assert got["classification_loss"] == pytest.approx(expected_y, rel=1e-5)
    assert got["domain_loss"] == pytest.approx(expected_d, rel=1e-5)
    assert got["adversarial_loss"] == pytest.approx(float(reversal_weight(1.0, 0.7)) * expected_d, rel=1e-5)


def test_confusion_loss_against_hand_computations():
    """Tzeng et al.'s confusion term: D's log-probabilities averaged over the domains present in the batch."""
    model = tiny_model(ramp_steps=0, adversarial_weight=0.7, domain_objective="confusion")
    x, _ = tiny_data(8)
    domains = np.array([0, 0, 1, 0, 1, 0, 0, 1])
    w1, b1 = model.encoder.get_weights()
    wd1, bd1, wd2, bd2 = model.domain_classifier.get_weights()
    domain_log = _softmax_log(np.maximum(np.maximum(x @ w1 + b1, 0) @ wd1 + bd1, 0) @ wd2 + bd2)
    expected = -domain_log[:, [0, 1]].mean(axis=1).mean()
    got = model.compute_losses(x, pack_targets(np.full(8, -1), domains))
    assert float(got["adversarial_loss"]) == pytest.approx(float(reversal_weight(1.0, 0.7)) * expected, rel=1e-5)
    with pytest.raises(ValueError, match="domain_objective must be one of"):
        tiny_model(domain_objective="confuse")


def test_the_confusion_objective_reaches_the_encoder():
    """With the confusion term, D tells the separable domains apart less well from E(x) than after the twin (same
    seed and batches: were the term disconnected, E, D and so the accuracy would be the twin's exactly)."""
    x, y, x_target, _ = separable_domains()
    domains = np.r_[np.zeros(len(x)), np.ones(len(x_target))]
    accuracy = {}
    for weight in (0, 1):
        clf = DannClassifier(**TINY, adversarial_weight=weight, domain_objective="confusion")
        clf.fit(x, y, N_CLASSES, x_unlabelled=x_target)
        probabilities = clf.model_.domain_probabilities(np.concatenate([x, x_target]))
        accuracy[weight] = (probabilities.argmax(axis=1) == domains).mean()
    assert accuracy[1] < accuracy[0], accuracy


def test_a_batch_without_labelled_rows_has_no_emotion_loss():
    model = tiny_model()
    model.compile()
    x, _ = tiny_data(16)
    logs = model.train_on_batch(x, pack_targets(np.full(16, -1), np.arange(16) % 2), return_dict=True)
    assert logs["classification_loss"] == 0.0 and np.isfinite(logs["domain_loss"])
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_the_domain_player_is_connected(trained):
    """D learns (its weights move), and the reversed domain term reaches the encoder: on data whose domains are
    separable, D tells them apart less well from E(x) after adversarial training than after the twin's."""
    x, _, x_target, _ = separable_domains()
    _, dann = trained
    keras.utils.set_random_seed(TINY["seed"])
    initial = build_domain_adversarial(12, N_CLASSES, widths=(16,), domain_widths=(8,)).domain_classifier
    domains = np.r_[np.zeros(len(x)), np.ones(len(x_target))]
    accuracy = {}
    for weight, clf in dann.items():
        moved = [np.abs(a - b).max() for a, b in zip(clf.model_.domain_classifier.get_weights(), initial.get_weights())]
        assert min(moved) > 1e-3, f"D did not learn at weight {weight}"
        probabilities = clf.model_.domain_probabilities(np.concatenate([x, x_target]))
        accuracy[weight] = (probabilities.argmax(axis=1) == domains).mean()
    assert accuracy[1] < accuracy[0] - 0.05, accuracy


def test_weight_zero_is_the_supervised_twin_the_dnn(trained):
    """With adversarial_weight=0, E and C make exactly the DNN's updates (same initial weights, labelled batches,
    loss, L2 and Adam): equal up to float rounding; weight 1 moves them away."""
    dnn, dann = trained
    twin = [*dann[0].model_.encoder.get_weights(), *dann[0].model_.classifier.get_weights()]
    for got, expected in zip(twin, dnn.model_.get_weights(), strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-6)
    x, *_ = separable_domains()
    np.testing.assert_allclose(dann[0].predict_proba(x), dnn.predict_proba(x), atol=1e-5)
    adversarial = [*dann[1].model_.encoder.get_weights(), *dann[1].model_.classifier.get_weights()]
    assert max(np.abs(a - b).max() for a, b in zip(adversarial, twin)) > 1e-3


def test_equal_updates(trained):
    """Every step: the DNN's labelled batch, then unlabelled rows; both players update once per step."""
    x, _, x_target, _ = separable_domains()
    dnn, dann = trained
    clf = dann[1]
    steps = clf.step_rows(len(x), len(x_target))
    assert len(steps) == clf.optimizer_steps(len(x)) == dnn.optimizer_steps(len(x)) == 10 * 4
    expected = [o[i : i + 16] for o in dnn.epoch_orders(len(x)) for i in range(0, len(x), 16)]
    for rows, labelled in zip(steps, expected, strict=True):
        np.testing.assert_array_equal(rows[: len(labelled)], labelled)
        assert len(rows) == len(labelled) + 16 and (rows[len(labelled) :] >= len(x)).all()
    drawn = np.concatenate([rows[rows >= len(x)] for rows in steps])[: 3 * len(x_target)] - len(x)
    assert all(sorted(drawn[i : i + 60]) == list(range(60)) for i in (0, 60, 120))  # each row once per pass
    model = clf.model_
    assert int(model.classifier_optimizer.iterations) == int(model.domain_optimizer.iterations) == len(steps)
    assert float(model.steps_done) == float(model.planned_steps) == len(steps)  # the ramp spans the run


@pytest.mark.slow
def test_save_and_load_in_a_fresh_process(trained, tmp_path):
    _, dann = trained
    x, *_ = separable_domains()
    path = tmp_path / "dann.keras"
    dann[1].model_.save(path)
    np.save(tmp_path / "x.npy", x)
    code = (
        "import json, sys, numpy as np, keras, serzoo\n"
        "serzoo.get_scheme('dann').build_function()  # imports the scheme's module, which registers its class\n"
        f"model = keras.saving.load_model({str(path)!r})\n"
        f"x = np.load({str(tmp_path / 'x.npy')!r})\n"
        "out = {'p': model.classify(x).tolist(), 'steps': float(model.steps_done)}\n"
        "from serzoo.models.domain_adversarial import pack_targets\n"
        "model.fit(x, pack_targets(np.zeros(len(x), 'int32'), np.zeros(len(x), 'int32')), epochs=1, verbose=0)\n"
        "out['after'] = float(model.steps_done)\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(out["p"], dann[1].predict_proba(x), atol=1e-6)
    assert out["steps"] == 40 and out["after"] == 42  # the schedule's clock is saved and runs on


def test_bad_input_is_refused_clearly():
    x, y = tiny_data(12)
    with pytest.raises(ValueError, match="labels has 12 rows but domains has 3"):
        pack_targets(y, [0, 1, 0])
    with pytest.raises(ValueError, match="domains has negative labels"):
        pack_targets(y, -np.ones(12, int))
    with pytest.raises(ValueError, match=r"labels has labels outside 0..1"):
        pack_targets(y, np.zeros(12, int), n_classes=2)
    model = tiny_model()
    model.compile()
    with pytest.raises(ValueError, match=r"trains on y = pack_targets\(labels, domains\) of shape \[n, 2\]"):
        model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(TypeError, match=r"fit\(sample_weight=\.\.\.\) is not supported.*class_weights"):
        model.fit(x, pack_targets(y, np.zeros(12, int)), sample_weight=np.ones(12), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="is a classifier, not a generator"):
        model.generate(np.zeros(3, "int32"))
    clf = DannClassifier(**TINY)
    for call, message in (
        (lambda: clf.fit(x, y, 3, domains=np.zeros(12, int), x_unlabelled=x), "give both domains and domains_unl"),
        (lambda: clf.fit(x, y, 3, domains_unlabelled=np.zeros(12, int)), "domains_unlabelled without x_unlabelled"),
        (lambda: clf.fit(x, y, 3, x_unlabelled=x[:, :5]), "x_unlabelled has 5 features per row, x has 12"),
        (lambda: clf.fit(x, y, 3, x_unlabelled=np.full((2, 12), np.nan)), "x_unlabelled: x has 24 non-finite"),
        (lambda: clf.fit(x, np.full(12, -1), 3, x_unlabelled=x), "y has no labelled row"),
        (lambda: clf.fit(x, y, 3, domains=[0, 1]), "domains has 2 entries for the 12 rows of x"),
    ):
        with pytest.raises(ValueError, match=message):
            call()


def test_dann_is_not_an_augmentation_method():
    from serzoo.augmenters import augment, augmentation_methods

    assert "dann" not in augmentation_methods()
    x, y = tiny_data(12)
    with pytest.raises(ValueError, match="'dann' is a classifier-only scheme .*DannClassifier"):
        augment(x, y, "dann", k=1)
