"""Named schedules: each paper's training settings in one place, and serzoo's own defaults.

A schedule maps every registered scheme to a :class:`Training` (epochs, batch size, optimizers). Every command
takes ``--schedule paper|serzoo``; ``--epochs`` and ``--learning-rate`` override the schedule's values for every
scheme at once (:func:`training_for`). This module imports neither TensorFlow nor Keras at import time.

- ``paper``: the settings the papers state (Yi & Mak journal Sec. IV-C and Table I; Sahu et al. TAC Sec. 4.3;
  Sahu et al. 2017). Where a paper is silent, the closest stated setting, said so in ``source``.
- ``serzoo``: the project's defaults, the default of every command. Every deviation from the paper has its measured
  reason in ``source``. For the Yi & Mak schemes it is the measured fast schedule (:data:`FAST`).

Example:
    >>> training_for("wadan", "paper").epochs
    1500
    >>> training_for("wadan", "serzoo", epochs=5).epochs
    5
"""

from __future__ import annotations

import dataclasses
import functools

from serzoo.models.classifiers import DnnClassifier

SCHEDULES = ("paper", "serzoo")
#: How the Adam rate changes over a run (:attr:`Training.decay`).
DECAYS = ("constant", "cosine")
#: The schedule of every command when ``--schedule`` is not given (``--paper-schedule`` = ``--schedule paper``).
DEFAULT_SCHEDULE = "serzoo"
#: The Adam rate of Yi & Mak (journal Sec. IV-C) and, for want of a stated one, of GAN/cGAN/AAE baselines.
YI_MAK_ADAM = 1e-4
YI_MAK_BATCH = 128
#: Yi & Mak, eq. 14: weight α of the classification term of G (1 on EmoDB and IEMOCAP improvised, 0.1 on all IEMOCAP).
YI_MAK_ALPHA = 1.0

#: Sahu et al. (TAC), Sec. 4.3: SGD (learning rate, momentum) per player of M1, M2, M3.
SAHU_SGD = {
    "m1": {"autoencoder": (1e-3, 0.9), "discriminator": (0.1, 0.0), "generator": (0.1, 0.0)},
    "m2": {
        "autoencoder": (1e-3, 0.9),
        "discriminator": (0.1, 0.0),
        "generator": (0.1, 0.0),
        "feature_discriminator": (1e-4, 0.0),
        "decoder": (1e-3, 0.0),
    },
    "m3": {
        "autoencoder": (1e-3, 0.0),
        "discriminator": (1e-2, 0.0),
        "generator": (1e-2, 0.0),
        "feature_discriminator": (1e-4, 0.0),
        "decoder": (1e-3, 0.0),
    },
}

#: ICASSP 2019 semi-supervised AAE (Sec. 5.2): 100 epochs, discriminator rate = 0.1 x the generator's, the best epoch
#: on a validation speaker; 100-D style, 2 x 256, dropout 0.5 are the builder defaults of ``semi_aae``.
SEMI_AAE_PAPER = {"epochs": 100, "discriminator_rate_ratio": 0.1, "latent_dim": 100, "width": 256, "dropout": 0.5}

#: The demo's Adam rate (serzoo schedule only). 300 epochs on synth_emo's 224 training utterances are 600 steps:
#: at 1e-4 the generator does not catch up with the encoder (synth_emo fold 1, training speakers only: TRTS 19 %,
#: C recognises G's codes 31 %); at 1e-3 TRTS is 86 % (ADAN) and 99 % (WADAN). BENCHMARKS.md, generator quality.
DEMO_LEARNING_RATE = 1e-3
#: The demo's generator training (serzoo schedule): 300 epochs of batch 128 at :data:`DEMO_LEARNING_RATE` (600 steps on
#: synth_emo; unchanged by the fast schedule below, which was measured on EmoDB).
DEMO_EPOCHS, DEMO_BATCH = 300, 128

SERZOO_EPOCHS = 300
#: The fast schedule of the Yi & Mak schemes (issue 13): Adam 3e-4, batch 32, 100 epochs. Chosen on generator quality
#: measured on training speakers only (EmoDB IS11, fold 1's and fold 13's training speakers, seeds 0 and 1;
#: ``benchmarks/bench_schedule.py``, BENCHMARKS.md "Generator schedule study"): against 400 epochs of Adam 1e-4 at
#: batch 128 (the previous default's quality), ADAN/WADAN/AAE reach a higher TRTS and TSTR on both runs at 42-46 % of
#: the fit time; WADAN's MMD stays higher (0.052 vs 0.037). Constant 1e-3 at batch 128 was cheaper but unstable.
#: The cGAN takes 50 epochs of it (see its ``source``).
FAST = {"epochs": 100, "learning_rate": 3e-4, "batch_size": 32}


@dataclasses.dataclass(frozen=True)
class Training:
    """How a scheme is trained: ``epochs`` of ``batch_size``, Adam(``learning_rate``) for every player, or the
    per-player SGD of Sahu et al. (``optimizer="sahu_sgd"``). ``rate_scales`` = ((player, factor), ...) gives
    named players the Adam rate ``factor x learning_rate`` (the semi-supervised AAE's discriminators, a search's
    per-player rates in ``tuning/``). ``decay="cosine"`` anneals every Adam rate to 0 over the run
    (``keras.optimizers.schedules.CosineDecay``; Loshchilov & Hutter 2017 without restarts). ``source`` says where the
    values come from."""

    epochs: int
    learning_rate: float = YI_MAK_ADAM
    batch_size: int = YI_MAK_BATCH
    optimizer: str = "adam"
    source: str = ""
    #: ``((player, factor), ...)``: these players' Adam rate is ``factor x learning_rate`` (e.g. the semi-supervised
    #: AAE's discriminators at 0.1 x, its "strengthened generator").
    rate_scales: tuple = ()
    #: ``"constant"`` or ``"cosine"`` (the Adam rates fall from their value to 0 over ``epochs``).
    decay: str = "constant"

    def __post_init__(self):
        if int(self.epochs) < 1 or self.epochs != int(self.epochs):
            raise ValueError(f"epochs must be a positive integer, got {self.epochs!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if self.optimizer not in ("adam", "sahu_sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sahu_sgd', got {self.optimizer!r}")
        if not all(isinstance(p, str) and float(f) > 0 for p, f in self.rate_scales):
            raise ValueError(f"rate_scales must be ((player, factor > 0), ...), got {self.rate_scales!r}")
        if self.decay not in DECAYS:
            raise ValueError(f"decay must be one of {', '.join(DECAYS)}, got {self.decay!r}")

    def optimizers(self, scheme: str, players, steps_per_epoch: int | None = None) -> dict:
        """``compile`` keyword arguments: one fresh optimizer per player (imports Keras). A decaying rate needs the
        run's length: ``steps_per_epoch`` x ``epochs`` steps (``AdversarialScheme.steps_per_epoch``)."""
        import keras

        if self.optimizer == "sahu_sgd":
            if scheme not in SAHU_SGD:
                raise ValueError(f"Sahu et al.'s SGD is defined for {', '.join(SAHU_SGD)}, not {scheme!r}")
            return {
                f"{player}_optimizer": keras.optimizers.SGD(rate, momentum=momentum)
                for player, (rate, momentum) in SAHU_SGD[scheme].items()
            }
        scales = dict(self.rate_scales)
        unknown = sorted(set(scales) - set(players))
        if unknown:
            raise ValueError(f"rate_scales names {unknown}, which {scheme!r} lacks; its players: {list(players)}")
        if self.decay == "constant":
            return {
                f"{player}_optimizer": keras.optimizers.Adam(self.learning_rate * scales.get(player, 1.0))
                for player in players
            }
        if steps_per_epoch is None:
            raise ValueError(f"a {self.decay} rate decays over the run's steps: pass steps_per_epoch")
        steps = self.epochs * int(steps_per_epoch)
        return {
            f"{player}_optimizer": keras.optimizers.Adam(
                keras.optimizers.schedules.CosineDecay(self.learning_rate * scales.get(player, 1.0), decay_steps=steps)
            )
            for player in players
        }

    @property
    def tag(self) -> str:
        """What distinguishes this training from Adam 1e-4 / batch 128 (empty if nothing), for unit keys."""
        parts = []
        if self.optimizer != "adam":
            parts.append(self.optimizer)
        elif self.learning_rate != YI_MAK_ADAM:
            parts.append(f"adam{self.learning_rate:g}")
        if self.batch_size != YI_MAK_BATCH:
            parts.append(f"batch{self.batch_size}")
        parts += [f"{player}x{factor:g}" for player, factor in self.rate_scales]
        if self.decay != "constant":
            parts.append(self.decay)
        return "+".join(parts)

    def describe(self) -> str:
        how = "Sahu et al.'s per-player SGD" if self.optimizer == "sahu_sgd" else f"Adam {self.learning_rate:g}"
        how += "".join(f", {player} at {factor:g} x" for player, factor in self.rate_scales)
        how += f", {self.decay} decay to 0" if self.decay != "constant" else ""
        return f"{self.epochs} epochs, batch {self.batch_size}, {how}"


_YI_MAK = "Yi & Mak journal Sec. IV-C: Adam 1e-4, batch 128"
_UNSTATED = "epochs unstated in the paper: 800, as Yi & Mak's ADAN; Adam 1e-4, batch 128 as their other schemes"
_SAHU = "Sahu et al. (TAC) Sec. 4.3: per-player SGD; epochs unstated: 300"
_SERZOO = (
    f"{SERZOO_EPOCHS} epochs for every scheme (the papers' 800-1500 cost hours on 2 cores: at 400 epochs "
    "WADAN reaches TRTS 89.8 % on EmoDB fold 1's training speakers, and 1500 epochs did not make its samples "
    "more useful, docs/yi_mak.md 'WADAN at the paper's 1500 epochs'); Adam 1e-4 for every player"
)
_FAST = (
    "the fast schedule (issue 13, BENCHMARKS.md 'Generator schedule study'): on EmoDB training speakers "
    "(2 folds x seeds) as good as 400 epochs of Adam 1e-4 / batch 128 on TRTS and TSTR at under half the fit "
    "time; the paper's 800-1500 epochs cost hours on 2 cores and 1500 did not make WADAN's samples more useful"
)

_SEMI_AAE_SCALES = (("discriminator", SEMI_AAE_PAPER["discriminator_rate_ratio"]),)
_SEMI_AAE = (
    "ICASSP 2019 semi-supervised AAE Sec. 5.2: 100 epochs, discriminators at 0.1 x the generator's rate; "
    "optimizer, rate and batch unstated: Adam 1e-4, batch 128 as Yi & Mak"
)

#: The domain-adversarial network trains as its supervised twin, Yi & Mak's DNN (:class:`DnnClassifier`'s defaults),
#: so that the two make equal updates (:class:`serzoo.models.domain_adversarial.DannClassifier`).
_DNN = {
    "epochs": DnnClassifier.epochs,
    "learning_rate": DnnClassifier.learning_rate,
    "batch_size": DnnClassifier.batch_size,
}
_DANN_PAPER = (
    "Ganin et al. (JMLR 2016) train with SGD (momentum 0.9, rate 0.01 / (1 + 10 p)^0.75, batch 128, half of it "
    "target rows) on image and text features, which this Training cannot express; Abdelwahab & Busso's optimiser "
    "and epochs were not readable here. Closest stated setting: the supervised twin's (Yi & Mak's DNN, journal "
    "Sec. IV-D: Adam 1e-4; serzoo's DNN: batch 32, 100 epochs over the labelled rows), so that DANN and DNN make "
    "equal updates"
)
_DANN_SERZOO = (
    "the supervised twin's training (serzoo's DNN: Adam 1e-4 for both players, batch 32 labelled + 32 unlabelled "
    "rows per step, 100 epochs over the labelled rows), so that the DANN and its twin make equal updates; nothing "
    "has been measured yet that argues for other values"
)

PAPER = {
    "dann": Training(**_DNN, source=_DANN_PAPER),
    **{
        name: Training(SEMI_AAE_PAPER["epochs"], rate_scales=_SEMI_AAE_SCALES, source=_SEMI_AAE)
        for name in ("semi_aae", "semi_aae_frames")
    },
    "adan": Training(800, source=f"{_YI_MAK}; ADAN >= 800 epochs on EmoDB"),
    "wadan": Training(1500, source=f"{_YI_MAK}; WADAN 1500 epochs on EmoDB"),
    "gan": Training(800, source=_UNSTATED),
    "cgan": Training(800, source=_UNSTATED),
    "aae": Training(800, source=_UNSTATED),
    "m1": Training(SERZOO_EPOCHS, optimizer="sahu_sgd", source=_SAHU),
    "m2": Training(SERZOO_EPOCHS, optimizer="sahu_sgd", source=_SAHU),
    "m3": Training(SERZOO_EPOCHS, optimizer="sahu_sgd", source=_SAHU),
}
SERZOO = {
    "dann": Training(**_DNN, source=_DANN_SERZOO),
    **{
        name: Training(
            SEMI_AAE_PAPER["epochs"],
            rate_scales=_SEMI_AAE_SCALES,
            source=f"the paper's settings ({_SEMI_AAE}): its 100 epochs are affordable, unlike the 800-1500 "
            "of the augmentation papers, and nothing has been measured yet that argues for others",
        )
        for name in ("semi_aae", "semi_aae_frames")
    },
    **{name: Training(**FAST, source=_FAST) for name in ("adan", "wadan", "gan", "aae")},
    "cgan": Training(
        **{**FAST, "epochs": 50},
        source=f"{_FAST}; the cGAN learns no class structure at any measured "
        "setting (TRTS at chance), and its 50-epoch fit is no worse than 400 epochs on all three measures "
        "in both runs, at a third of the time",
    ),
    **{
        name: Training(
            SERZOO_EPOCHS,
            source=f"{_SERZOO}. Not Sahu et al.'s SGD: with it nothing trains on EmoDB "
            "in 300 epochs (flat reconstruction, metric 1 at chance on fold 1's training speakers, "
            "docs/sahu_m1_m2_m3.md)",
        )
        for name in ("m1", "m2", "m3")
    },
}
_TABLES = {"paper": PAPER, "serzoo": SERZOO}
#: A scheme registered without a schedule entry trains like this (serzoo's defaults).
FALLBACK = Training(SERZOO_EPOCHS, source=_SERZOO)


def schedule_keyword(function):
    """Refuse ``preset=``, the old name of ``schedule=``, with the new name (a "preset" is now a pretrained model,
    :mod:`serzoo.zoo`); without this it would be an unexpected keyword, or land silently in ``**options``."""

    @functools.wraps(function)
    def checked(*args, **kwargs):
        if "preset" in kwargs:
            raise TypeError(
                f"{function.__name__}() got preset={kwargs['preset']!r}: the training schedule is now schedule= "
                "(paper|serzoo); 'preset' means a pretrained model (serzoo.zoo)"
            )
        return function(*args, **kwargs)

    return checked


def check_schedule(schedule: str) -> str:
    if schedule not in _TABLES:
        raise ValueError(f"unknown schedule {schedule!r}; choose one of: {', '.join(SCHEDULES)}")
    return schedule


@schedule_keyword
def training_for(
    scheme: str,
    schedule: str = DEFAULT_SCHEDULE,
    *,
    epochs: int | None = None,
    learning_rate: float | None = None,
    batch_size: int | None = None,
) -> Training:
    """The :class:`Training` of ``scheme`` under ``schedule``, with explicit overrides applied.

    ``learning_rate`` switches a schedule's SGD to Adam at that rate (one rate for every player).
    """
    base = _TABLES[check_schedule(schedule)].get(scheme, FALLBACK)
    changes = {k: v for k, v in {"epochs": epochs, "batch_size": batch_size}.items() if v is not None}
    if learning_rate is not None:
        changes.update(learning_rate=learning_rate, optimizer="adam")
    if changes:
        base = dataclasses.replace(base, **changes, source=f"{base.source}; overridden: {changes}")
    return base


def schedule_table(schedule: str, schemes) -> str:
    """Markdown: the training settings of ``schemes`` under ``schedule`` and where each comes from."""
    lines = ["| scheme | training | source |", "|---|---|---|"]
    lines += [f"| {s} | {training_for(s, schedule).describe()} | {training_for(s, schedule).source} |" for s in schemes]
    return "\n".join(lines)
