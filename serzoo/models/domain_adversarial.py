"""Domain-adversarial neural network (DANN): an emotion classifier whose hidden representation hides the domain.

A shared encoder E (MLP) feeds an emotion classifier C and a domain classifier D (Ganin & Lempitsky, ICML 2015;
Ganin et al., JMLR 2016). D learns to tell the domains (corpora) apart from E(x); E learns features that serve C
and defeat D, so that C, trained on the labelled (source) rows, transfers to the unlabelled (target) rows.
Abdelwahab & Busso (IEEE/ACM TASLP 2018) apply it to acoustic emotion recognition with the target corpus's speech
unlabelled and a source-vs-target domain classifier.

Targets: ``fit(x, pack_targets(labels, domains))``. ``y`` is int32 ``[n, 2]``: column 0 the emotion label, or
:data:`UNLABELLED` (``-1``) for a row without one (e.g. the target corpus's speech); column 1 the row's domain
in ``0..n_domains-1`` (e.g. its corpus). A batch may hold no labelled row (its emotion loss is then 0).

One train step is one backpropagation through Ganin's gradient reversal layer, written as the minimax game of
Ganin & Lempitsky's objective E(θ_f, θ_y, θ_d) = L_y(θ_f, θ_y) - λ L_d(θ_f, θ_d) (eq. 1, saddle point eqs. 2-3)
with one optimizer per player. Both gradients come from one forward pass, before either update, as the reversal
layer computes them:

- (a) domain player D: minimise ``L_d``, the domain cross-entropy of D on ``stop_gradient(E(x))`` over all rows;
- (b) classifier player (E and C): minimise ``L_y - λ_p L_d`` plus the L2 penalty of E and C, where ``L_y`` is
  the class-weighted emotion cross-entropy over the labelled rows (``n_max / n_k``, Yi & Mak).

``λ_p = adversarial_weight · (2 / (1 + exp(-γ p)) - 1)``, γ = 10 (Ganin et al.'s schedule: λ rises from 0 to
nearly ``adversarial_weight``), with ``p`` the training progress: train steps done / :attr:`planned_steps`,
capped at 1. The horizon: ``ramp_steps`` when given (0 = no ramp, full weight from the first step); otherwise
each ``fit`` sets ``planned_steps`` to the steps done so far plus that fit's ``epochs x steps per epoch`` (as
Keras counts them), so one fit ramps over exactly its own length. With no horizon known (``train_on_batch``
before any fit), ``p = 1``. ``adversarial_weight=0`` gives the supervised twin: E and C receive exactly the
updates of the same network trained on the labelled rows alone (D still learns, but nothing flows back).

Logged losses: ``classification_loss`` (L_y), ``domain_loss`` (L_d, what D minimises) and ``adversarial_loss``
(λ_p L_d, the term the encoder maximises; with ``domain_objective="confusion"``, λ_p L_conf, which it minimises:
Tzeng et al.'s bounded alternative, see :class:`DomainAdversarialNetwork`).

Example:
    >>> model = build_domain_adversarial(6373, 6, n_domains=2)        # 2 x 100 ReLU + softmax, D: 100 ReLU
    >>> model.compile()                                                 # doctest: +SKIP
    >>> model.fit(x, pack_targets(labels, domains), batch_size=32, epochs=100)   # doctest: +SKIP
    >>> probabilities = model.classify(x_test)                          # doctest: +SKIP
    >>> DannClassifier().fit(x_src, y_src, 6, x_unlabelled=x_tgt).predict(x_tgt)  # doctest: +SKIP

Reference: Ganin & Lempitsky, "Unsupervised domain adaptation by backpropagation", ICML 2015; Ganin et al.,
"Domain-adversarial training of neural networks", JMLR 17 (2016); Abdelwahab & Busso, "Domain adversarial for
acoustic emotion recognition", IEEE/ACM TASLP 26(12), 2018.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from serzoo import losses
from serzoo.models.classifiers import DnnClassifier
from serzoo.models.scheme import AdversarialScheme, class_weights_for
from serzoo.networks import mlp
from serzoo.validation import check_labels, check_training_data

#: The emotion label of a row without one (as :data:`serzoo.models.semi_aae.UNLABELLED`).
UNLABELLED = -1
#: γ of Ganin et al.'s schedule ``2 / (1 + exp(-γ p)) - 1``.
GAMMA = 10.0
#: What the encoder plays against the domain classifier (see :class:`DomainAdversarialNetwork`).
DOMAIN_OBJECTIVES = ("reversal", "confusion")


def reversal_weight(progress, maximum: float = 1.0, gamma: float = GAMMA):
    """``λ_p = maximum · (2 / (1 + exp(-γ p)) - 1)`` at training progress ``p`` in [0, 1] (Ganin et al.)."""
    return maximum * (2.0 / (1.0 + ops.exp(-gamma * ops.cast(progress, "float32"))) - 1.0)


def pack_targets(labels, domains, *, n_classes: int | None = None, n_domains: int | None = None) -> np.ndarray:
    """The ``y`` of :meth:`DomainAdversarialNetwork.fit`: int32 ``[n, 2]`` = (emotion label or ``-1``, domain).

    ``labels`` are class ids (``-1`` = unlabelled) and ``domains`` domain ids ``>= 0``, one each per row; with
    ``n_classes`` / ``n_domains`` they must also lie below those.
    """
    labels = np.asarray(labels)
    unlabelled = np.asarray(labels == UNLABELLED)
    labels = np.where(unlabelled, UNLABELLED, check_labels(np.where(unlabelled, 0, labels), "labels", n_classes))
    domains = check_labels(domains, "domains", n_domains)
    if domains.shape != labels.shape:
        raise ValueError(f"labels has {labels.size} rows but domains has {domains.size}; they must pair up")
    return np.stack([labels, domains], axis=1).astype(np.int32)


class RampHorizon(keras.callbacks.Callback):
    """Sets the model's :attr:`~DomainAdversarialNetwork.planned_steps` to the end of the running ``fit``
    (Keras's ``params``: epochs and steps per epoch), before its first step."""

    def on_train_begin(self, logs=None):
        self.pending = True

    def on_epoch_begin(self, epoch, logs=None):
        if not self.pending:
            return
        self.pending = False
        steps = self.params.get("steps")
        if not steps:
            raise ValueError(
                f"{self.model.name}: the schedule of λ needs the run's length, but this fit's data has no known "
                "number of steps; pass steps_per_epoch to fit, or ramp_steps to the model"
            )
        remaining = (self.params["epochs"] - epoch) * steps
        self.model.planned_steps.assign(float(self.model.steps_done.numpy()) + remaining)


@keras.saving.register_keras_serializable(package="serzoo")
class DomainAdversarialNetwork(AdversarialScheme):
    """DANN (see the module docstring).

    Args:
        encoder: Functional ``x → features``; classifier: ``features → emotion logits (K)``;
            domain_classifier: ``features → domain logits (n_domains)`` (:func:`build_domain_adversarial`).
        n_classes: number of emotion classes K.
        adversarial_weight: the maximum of λ_p (0 = the supervised twin).
        ramp_steps: train steps over which λ_p ramps up; ``None`` = each fit's own length, 0 = no ramp.
        gamma: γ of the schedule (10 in Ganin et al.).
        domain_objective: what E maximises against D: ``"reversal"`` (Ganin et al.: E and C minimise
            ``L_y - λ_p L_d``, the reversed domain cross-entropy, unbounded) or ``"confusion"`` (Tzeng et al.,
            ICCV 2015: E and C minimise ``L_y + λ_p L_conf``, the cross-entropy of D's output against the uniform
            distribution over the batch's domains, :func:`serzoo.losses.domain_confusion`; bounded). D minimises
            ``L_d`` either way.
        class_weights: weights of the emotion cross-entropy (default all 1).
        seed: seed of the model's ``SeedGenerator`` (unused by the training; kept for the common base).
    """

    PLAYERS = {"classifier": ("encoder", "classifier"), "domain": ("domain_classifier",)}
    NETWORKS = ("encoder", "classifier", "domain_classifier")
    LOSSES = ("classification_loss", "domain_loss", "adversarial_loss")

    def __init__(
        self,
        encoder,
        classifier,
        domain_classifier,
        *,
        n_classes: int,
        adversarial_weight: float = 1.0,
        ramp_steps: int | None = None,
        gamma: float = GAMMA,
        domain_objective: str = "reversal",
        class_weights=None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(n_classes=n_classes, class_weights=class_weights, seed=seed, **kwargs)
        if not (adversarial_weight >= 0 and math.isfinite(adversarial_weight)):
            raise ValueError(f"adversarial_weight must be a finite number >= 0, got {adversarial_weight!r}")
        if ramp_steps is not None and (int(ramp_steps) != ramp_steps or ramp_steps < 0):
            raise ValueError(f"ramp_steps must be None (each fit's length) or an int >= 0, got {ramp_steps!r}")
        self.encoder, self.classifier, self.domain_classifier = encoder, classifier, domain_classifier
        if int(classifier.output_shape[-1]) != self.n_classes:
            raise ValueError(f"the classifier has {classifier.output_shape[-1]} outputs for {self.n_classes} classes")
        if domain_objective not in DOMAIN_OBJECTIVES:
            raise ValueError(f"domain_objective must be one of {DOMAIN_OBJECTIVES}, got {domain_objective!r}")
        self.domain_objective = domain_objective
        self.adversarial_weight, self.gamma = float(adversarial_weight), float(gamma)
        self.ramp_steps = None if ramp_steps is None else int(ramp_steps)
        self.n_domains = int(domain_classifier.output_shape[-1])
        self.feature_dim = int(encoder.input_shape[-1])
        #: Train steps done (the schedule's clock); saved with the model.
        self.steps_done = self.add_weight(shape=(), initializer="zeros", trainable=False, name="steps_done")
        #: The train step at which the ramp ends (p = 1): ``ramp_steps``, or set by each fit (:class:`RampHorizon`).
        self.planned_steps = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.ramp_steps or 0.0),
            trainable=False,
            name="planned_steps",
        )
        self.build((None, self.feature_dim))

    # ------------------------------------------------------------- the networks
    def call(self, x, training=False):
        return ops.softmax(self.classifier(self.encoder(x, training=training), training=training), axis=-1)

    def _numpy_chunks(self, function, x, width: int, batch_size: int) -> np.ndarray:
        parts = [ops.convert_to_numpy(function(x[i : i + batch_size])) for i in range(0, len(x), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, width), np.float32)

    def classify(self, x, batch_size: int = 1024) -> np.ndarray:
        """Class probabilities ``[n, K]`` (softmax of C(E(x)))."""
        return self._numpy_chunks(
            lambda b: self(b, training=False), np.asarray(x, np.float32), self.n_classes, batch_size
        )

    def predict_labels(self, x, batch_size: int = 1024) -> np.ndarray:
        """The most probable class of every row."""
        return self.classify(x, batch_size).argmax(axis=1)

    def encode(self, x, batch_size: int = 1024) -> np.ndarray:
        """The shared features E(x) (what the domain classifier sees)."""
        width = int(self.encoder.output_shape[-1])
        return self._numpy_chunks(
            lambda b: self.encoder(b, training=False), np.asarray(x, np.float32), width, batch_size
        )

    def domain_probabilities(self, x, batch_size: int = 1024) -> np.ndarray:
        """D's domain probabilities ``[n, n_domains]`` on E(x)."""
        return self._numpy_chunks(
            lambda b: ops.softmax(self.domain_classifier(self.encoder(b, training=False), training=False), axis=-1),
            np.asarray(x, np.float32),
            self.n_domains,
            batch_size,
        )

    def generate(self, labels, seed=None, batch_size: int = 1024):
        raise ValueError(
            f"{type(self).__name__} is a classifier, not a generator: it has no samples to draw "
            "(use classify / predict_labels)"
        )

    # ------------------------------------------------------------- losses
    def current_weight(self):
        """λ_p at the current step (see the module docstring)."""
        planned = self.planned_steps
        progress = ops.where(planned > 0, ops.minimum(self.steps_done / ops.maximum(planned, 1.0), 1.0), 1.0)
        return reversal_weight(progress, self.adversarial_weight, self.gamma)

    def _targets(self, y):
        if y is None or len(y.shape) != 2 or y.shape[-1] != 2:
            raise ValueError(
                f"{type(self).__name__} trains on y = pack_targets(labels, domains) of shape [n, 2] "
                f"(emotion label or -1, domain), got {None if y is None else tuple(y.shape)}"
            )
        y = ops.cast(y, "int32")
        return y[:, 0], y[:, 1]

    def _forward(self, x, y, training):
        """``(L_y, L_d, adversarial term, regularisation of E and C)`` from one pass of E over the batch; the
        adversarial term is ``λ_p L_d`` (reversal: what E maximises) or ``λ_p L_conf`` (confusion: what E
        minimises)."""
        labels, domains = self._targets(y)
        features = self.encoder(x, training=training)
        classification = losses.labelled_cross_entropy(
            labels, self.classifier(features, training=training), self.class_weights
        )
        domain_logits = self.domain_classifier(features, training=training)
        domain = losses.weighted_cross_entropy(domains, domain_logits)
        penalty = ops.sum([0.0, *self.encoder.losses, *self.classifier.losses])
        if self.domain_objective == "confusion":
            adversarial = self.current_weight() * losses.domain_confusion(domains, domain_logits)
        else:
            adversarial = self.current_weight() * domain
        return classification, domain, adversarial, penalty

    def compute_losses(self, x, y, training=False):
        classification, domain, adversarial, _ = self._forward(x, y, training)
        return {"classification_loss": classification, "domain_loss": domain, "adversarial_loss": adversarial}

    def test_step(self, data):
        return self._record(self.compute_losses(*self._unpack(data)))

    def train_step(self, data):
        x, y = self._unpack(data)
        with tf.GradientTape(persistent=True) as tape:
            classification, domain, adversarial, penalty = self._forward(x, y, True)
            # (b): the reversed domain term, or the confusion term
            sign = 1.0 if self.domain_objective == "confusion" else -1.0
            objective = classification + penalty + sign * adversarial
        # (a) the domain player: ∂L_d/∂θ_d only, i.e. D on stop_gradient(E(x)); (b) E and C on L_y - λ_p L_d.
        # Both gradients are taken before either update (one backpropagation through the reversal layer).
        domain_grads = tape.gradient(domain, self._player_variables("domain"))
        classifier_grads = tape.gradient(objective, self._player_variables("classifier"))
        del tape
        self.domain_optimizer.apply_gradients(zip(domain_grads, self._player_variables("domain")))
        self.classifier_optimizer.apply_gradients(zip(classifier_grads, self._player_variables("classifier")))
        self.steps_done.assign_add(1.0)
        return self._record(
            {"classification_loss": classification, "domain_loss": domain, "adversarial_loss": adversarial}
        )

    def fit(self, *args, callbacks=None, **kwargs):
        """``keras.Model.fit``; without ``ramp_steps`` the run's length becomes the schedule's horizon."""
        callbacks = list(callbacks or [])
        if self.ramp_steps is None and not any(isinstance(c, RampHorizon) for c in callbacks):
            callbacks.append(RampHorizon())
        return super().fit(*args, callbacks=callbacks, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "adversarial_weight": self.adversarial_weight,
            "ramp_steps": self.ramp_steps,
            "gamma": self.gamma,
            "domain_objective": self.domain_objective,
        }


def build_domain_adversarial(
    input_dim: int,
    n_classes: int,
    *,
    n_domains: int = 2,
    widths=DnnClassifier.hidden,
    domain_widths=(100,),
    l2: float = DnnClassifier.l2,
    **scheme_options,
) -> DomainAdversarialNetwork:
    """E = ``widths`` ReLU layers, C = a linear layer to ``n_classes`` logits (softmax in ``call``), both with L2
    ``l2`` on every kernel: E and C together are Yi & Mak's DNN (:class:`~serzoo.models.classifiers.DnnClassifier`,
    2 x 100, L2 1e-3), built in the same order, so the same global seed gives them the DNN's initial weights.
    D = ``domain_widths`` ReLU layers and ``n_domains`` logits, no L2 (D's size for SER is unstated; one hidden
    layer as Ganin et al.'s shallow DANN). ``scheme_options`` go to :class:`DomainAdversarialNetwork`."""
    widths = tuple(int(w) for w in widths)
    if not widths:
        raise ValueError("widths must name at least one hidden layer of the shared encoder")
    encoder = mlp(input_dim, widths, l2=l2, name="encoder")
    classifier = mlp(widths[-1], (), output_dim=n_classes, l2=l2, name="classifier")
    domain_classifier = mlp(widths[-1], tuple(domain_widths), output_dim=int(n_domains), name="domain_classifier")
    return DomainAdversarialNetwork(encoder, classifier, domain_classifier, n_classes=n_classes, **scheme_options)


def _unlabelled_rows(n_unlabelled: int, steps: int, per_step: int, rng) -> np.ndarray:
    """``[steps, per_step]`` indices into the unlabelled rows: consecutive seeded permutations of all of them,
    cut into batches (every row is drawn once before any row repeats; none when there are no such rows)."""
    if not n_unlabelled:
        return np.zeros((steps, 0), np.int64)
    needed = steps * per_step
    stream = np.concatenate([rng.permutation(n_unlabelled) for _ in range(-(-needed // n_unlabelled))])
    return stream[:needed].reshape(steps, per_step)


def _split_rows(x, y, n_classes, domains, x_unlabelled, domains_unlabelled):
    """``(x_l, y_l, d_l, x_u, d_u)``: checked labelled rows with their labels and domains, and the unlabelled rows
    (those of ``x`` labelled ``-1``, then ``x_unlabelled``) with theirs (see :meth:`DannClassifier.fit`)."""
    y = np.asarray(y)
    hidden = np.asarray(y == UNLABELLED)
    x, _ = check_training_data(x, np.where(hidden, 0, y), n_classes)
    if hidden.all():
        raise ValueError("y has no labelled row (every label is -1): the emotion classifier needs labelled rows")
    if x_unlabelled is None and domains_unlabelled is not None:
        raise ValueError("domains_unlabelled without x_unlabelled: give the unlabelled rows too")
    if x_unlabelled is not None and (domains is None) != (domains_unlabelled is None):
        raise ValueError(
            "give both domains and domains_unlabelled (the domain of every row of x and of x_unlabelled), "
            "or neither (x: domain 0, x_unlabelled: domain 1)"
        )
    domains = np.zeros(len(y), np.int64) if domains is None else check_labels(domains, "domains")
    if len(domains) != len(y):
        raise ValueError(f"domains has {len(domains)} entries for the {len(y)} rows of x")
    x_u, d_u = x[hidden], domains[hidden]
    if x_unlabelled is not None:
        try:
            extra, _ = check_training_data(x_unlabelled, np.zeros(len(x_unlabelled), np.int64), None)
        except ValueError as err:
            raise ValueError(f"x_unlabelled: {err}") from err
        if extra.shape[1:] != x.shape[1:]:
            raise ValueError(f"x_unlabelled has {extra.shape[1]} features per row, x has {x.shape[1]}")
        d_extra = (
            np.ones(len(extra), np.int64)
            if domains_unlabelled is None
            else check_labels(domains_unlabelled, "domains_unlabelled")
        )
        if len(d_extra) != len(extra):
            raise ValueError(f"domains_unlabelled has {len(d_extra)} entries for {len(extra)} rows of x_unlabelled")
        x_u, d_u = np.concatenate([x_u, extra]), np.concatenate([d_u, d_extra])
    return x[~hidden], y[~hidden].astype(np.int64), domains[~hidden], x_u, d_u


@dataclasses.dataclass
class DannClassifier:
    """A :class:`DomainAdversarialNetwork` as a scikit-learn-style classifier (``fit`` / ``predict`` /
    ``predict_proba``), the DANN counterpart of :class:`~serzoo.models.classifiers.DnnClassifier`.

    The defaults are the DNN's (2 x 100 ReLU, L2 1e-3, Adam 1e-4, batch 32, 100 epochs, class weights
    n_max / n_k): with ``adversarial_weight=0`` (same code path) it is that DNN, its supervised twin.

    Equal updates: ``epochs`` counts epochs over the LABELLED rows. Training makes exactly the DNN's
    ``epochs x ⌈n_labelled / batch_size⌉`` steps (:meth:`optimizer_steps`); step ``t`` carries the DNN's ``t``-th
    batch of labelled rows (the same seeded permutations, :meth:`DnnClassifier.epoch_orders`) followed by
    ``unlabelled_batch_size`` (default ``batch_size``) unlabelled rows, drawn from seeded permutations of all
    unlabelled rows in turn. Every step is one update of E and C (on the labelled rows' emotion loss and the
    reversed domain loss of all rows of the step) and one of D (on the domain loss of all rows of the step), so
    the DANN and its twin make the same number of classifier updates on the same labelled batches; the unlabelled
    rows only add the domain term. λ_p ramps over the whole run (``ramp_steps`` overrides).

    Args:
        hidden, l2, learning_rate, epochs, batch_size, seed: as :class:`DnnClassifier` (``learning_rate``: the
            classifier player's Adam rate).
        adversarial_weight: the maximum of λ_p (1 in Ganin et al.; 0 = the supervised twin).
        ramp_steps: steps of the λ ramp (default: the whole run; 0 = no ramp).
        domain_hidden: the domain classifier's hidden layers.
        domain_learning_rate: the domain player's Adam rate (default ``learning_rate``).
        domain_objective: ``"reversal"`` (Ganin et al.) or ``"confusion"`` (Tzeng et al.), see
            :class:`DomainAdversarialNetwork`.
        unlabelled_batch_size: unlabelled rows per step (default ``batch_size``; Ganin et al. fill half of
            each batch with target rows).
        jit_compile: XLA-compile the train step. Off by default: on 4368 features it was no faster per epoch and
            cost 7-16 s of compilation per fit (``benchmarks/bench_dann.py``, BENCHMARKS.md).
        callbacks: extra Keras callbacks of the fit (e.g. TensorBoard).
    """

    hidden: tuple[int, ...] = DnnClassifier.hidden
    l2: float = DnnClassifier.l2
    learning_rate: float = DnnClassifier.learning_rate
    epochs: int = DnnClassifier.epochs
    batch_size: int = DnnClassifier.batch_size
    seed: int = 0
    adversarial_weight: float = 1.0
    ramp_steps: int | None = None
    domain_hidden: tuple[int, ...] = (100,)
    domain_learning_rate: float | None = None
    unlabelled_batch_size: int | None = None
    domain_objective: str = "reversal"
    jit_compile: bool = False
    callbacks: tuple = ()

    def _twin(self) -> DnnClassifier:
        """The DNN whose updates the classifier player makes (its batches and step count)."""
        return DnnClassifier(
            hidden=self.hidden,
            l2=self.l2,
            learning_rate=self.learning_rate,
            epochs=self.epochs,
            batch_size=self.batch_size,
            seed=self.seed,
        )

    def optimizer_steps(self, n_labelled: int) -> int:
        """Train steps (= updates of each player) of a fit on ``n_labelled`` labelled rows: the twin DNN's."""
        return self._twin().optimizer_steps(n_labelled)

    def step_rows(self, n_labelled: int, n_unlabelled: int) -> list[np.ndarray]:
        """The rows of every train step: labelled rows ``0..n_labelled-1`` (the twin's batches), then unlabelled
        rows numbered from ``n_labelled``."""
        per_step = self.unlabelled_batch_size or self.batch_size
        labelled = [
            order[start : start + self.batch_size]
            for order in self._twin().epoch_orders(n_labelled)
            for start in range(0, len(order), self.batch_size)
        ]
        unlabelled = _unlabelled_rows(n_unlabelled, len(labelled), per_step, np.random.default_rng([self.seed, 2]))
        return [np.concatenate([rows, extra + n_labelled]) for rows, extra in zip(labelled, unlabelled)]

    def fit(self, x, y, n_classes: int | None = None, *, domains=None, x_unlabelled=None, domains_unlabelled=None):
        """Train on the labelled rows ``x, y`` and the unlabelled rows ``x_unlabelled``.

        Rows of ``y`` equal to ``-1`` join the unlabelled rows (keeping their domain in ``domains``).
        ``domains`` / ``domains_unlabelled``: the domain id (>= 0) of every row of ``x`` / ``x_unlabelled``.
        Default: 0 for the rows of ``x`` and 1 for those of ``x_unlabelled`` (source vs target corpus, Abdelwahab
        & Busso); with ``x_unlabelled``, give both or neither.
        """
        x_l, y_l, d_l, x_u, d_u = _split_rows(x, y, n_classes, domains, x_unlabelled, domains_unlabelled)
        n_classes = n_classes or int(y_l.max()) + 1
        n_domains = int(max(d_l.max(), d_u.max(initial=0))) + 1
        self.model_ = self._build(x_l.shape[1], n_classes, n_domains, class_weights_for(y_l, n_classes))
        steps = self.step_rows(len(x_l), len(x_u))
        rows = tf.data.Dataset.from_tensor_slices(
            tf.RaggedTensor.from_row_lengths(np.concatenate(steps), [len(s) for s in steps])
        )
        x_all = tf.constant(np.concatenate([x_l, x_u]))
        targets = tf.constant(
            pack_targets(np.concatenate([y_l, np.full(len(x_u), UNLABELLED)]), np.concatenate([d_l, d_u]))
        )
        batches = rows.map(lambda r: (tf.gather(x_all, r), tf.gather(targets, r)))
        history = self.model_.fit(
            batches,
            epochs=self.epochs,
            steps_per_epoch=len(steps) // self.epochs,
            shuffle=False,
            verbose=0,
            callbacks=list(self.callbacks),
        )
        self.history_ = history.history
        return self

    def _build(self, input_dim: int, n_classes: int, n_domains: int, class_weights) -> DomainAdversarialNetwork:
        keras.utils.set_random_seed(self.seed)  # E and C start from the twin DNN's initial weights
        model = build_domain_adversarial(
            input_dim,
            n_classes,
            n_domains=n_domains,
            widths=self.hidden,
            domain_widths=self.domain_hidden,
            l2=self.l2,
            adversarial_weight=self.adversarial_weight,
            ramp_steps=self.ramp_steps,
            domain_objective=self.domain_objective,
            class_weights=class_weights,
            seed=self.seed,
        )
        model.compile(
            classifier_optimizer=keras.optimizers.Adam(self.learning_rate),
            domain_optimizer=keras.optimizers.Adam(self.domain_learning_rate or self.learning_rate),
            jit_compile=self.jit_compile,
        )
        return model

    def predict_proba(self, x) -> np.ndarray:
        return self.model_.classify(x)

    def predict(self, x) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)
