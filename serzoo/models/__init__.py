"""The scheme registry: every adversarial scheme by name, with what the other layers need to know about it.

``augmenters``, ``export``, the experiments, the CLI and ``tuning/`` read this registry and nothing else to
find a scheme. Adding one is one module in ``serzoo/models/`` (a :class:`~serzoo.models.scheme.AdversarialScheme`
subclass and a ``build_<name>(input_dim, n_classes, **options)`` function), one :func:`register_scheme` call
below (or at run time, from a user's own module) and its test; its training settings per paper go into
:mod:`serzoo.schedules` (a scheme without an entry there trains with serzoo's defaults).

Importing this module does not import TensorFlow: builders are named as ``"module:function"`` and imported
when a scheme is built.

Example:
    >>> get_scheme("wadan").builder_options["divergence"]
    'wasserstein'
    >>> "m3" in scheme_names(exportable=True)
    True
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping


@dataclasses.dataclass(frozen=True)
class Knob:
    """A builder option a search may vary (``tuning/`` turns it into a KerasTuner hyperparameter).

    ``kind`` is ``"int"`` or ``"float"`` (between ``low`` and ``high``, log-spaced if ``log``) or ``"choice"``
    (one of ``values``). ``why`` says what the paper leaves open about it; ``default`` is the value a search
    starts from when the builder's signature does not give it (:meth:`SchemeSpec.knob_default`).
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    values: tuple = ()
    log: bool = False
    why: str = ""
    default: object = None

    def __post_init__(self):
        if self.kind not in ("int", "float", "choice"):
            raise ValueError(f"knob {self.name!r}: kind must be 'int', 'float' or 'choice', got {self.kind!r}")
        if self.kind == "choice" and len(self.values) < 2:
            raise ValueError(f"knob {self.name!r}: a choice needs at least two values")
        if self.kind != "choice" and not (self.low is not None and self.high is not None and self.low < self.high):
            raise ValueError(f"knob {self.name!r}: give low < high")


@dataclasses.dataclass(frozen=True)
class SchemeSpec:
    """A registered scheme.

    Args:
        name: the name used everywhere (``augment(..., "wadan")``, ``--scheme``, ``--methods``).
        builder: ``"package.module:function"`` or a callable ``(input_dim, n_classes, **options) -> model``.
        summary: one line for ``--help`` and ``serzoo schemes``.
        paper: the paper the scheme comes from.
        builder_options: fixed keyword arguments of the builder (e.g. ``divergence="js"``).
        exportable: one conditional generator, so ``serzoo export`` can write it as one SavedModel.
        generator: the scheme generates examples, so it is an augmentation method (:mod:`serzoo.augmenters`,
            ``tune``, ``export``, ``demo``, ``compare-generators``). ``False``: a classifier-only scheme (e.g.
            ``dann``): listed by ``serzoo schemes`` and checked like every scheme, refused where a generator is
            needed, with an error naming ``classifier``.
        classifier: for a classifier-only scheme, the scikit-learn-style classifier that trains it
            (``"package.module:Class"``), named in that error.
        per_class: the generator ignores labels; augmentation trains one model per class.
        class_weights: the builder takes ``class_weights`` (n_max / n_k, Yi & Mak) from the training labels.
        revision: raised when the scheme's implementation changes what it computes; stored experiment units
            of an older revision are then not reused (their keys differ).
        latent: the builder option that sets the latent (code or noise) size, searched by ``tuning/``.
        knobs: the scheme's own builder options a search may vary (:class:`Knob`), where the paper leaves
            them open.
    """

    name: str
    builder: str | Callable
    summary: str
    paper: str
    builder_options: Mapping = dataclasses.field(default_factory=dict)
    exportable: bool = True
    per_class: bool = False
    class_weights: bool = False
    revision: int = 1
    latent: Knob | None = None
    knobs: tuple[Knob, ...] = ()
    generator: bool = True
    classifier: str = ""

    def __post_init__(self):
        if not self.generator and self.exportable:
            raise ValueError(
                f"scheme {self.name!r}: a classifier-only scheme (generator=False) has no generator to export; "
                "pass exportable=False"
            )

    def build_function(self) -> Callable:
        if callable(self.builder):
            return self.builder
        module, _, function = self.builder.partition(":")
        return getattr(importlib.import_module(module), function)

    def knob_default(self, knob: Knob):
        """The value the scheme uses when a search does not set ``knob``: its fixed builder option, else its
        ``default``, else the builder function's default."""
        import inspect

        if knob.name in self.builder_options:
            return self.builder_options[knob.name]
        if knob.default is not None:
            return knob.default
        parameter = inspect.signature(self.build_function()).parameters.get(knob.name)
        return None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default

    def build(self, input_dim: int, n_classes: int, *, seed: int | None = None, class_weights=None, y=None, **options):
        """A new, untrained model; ``options`` override :attr:`builder_options`.

        A scheme whose classification losses are weighted (:attr:`class_weights`) takes the training labels ``y``
        (weights n_max / n_k, Yi & Mak, as ``serzoo`` trains it) or explicit ``class_weights`` (e.g. all 1.0).
        """
        kwargs = {**self.builder_options, **options}
        if self.class_weights:
            if y is not None and class_weights is not None:
                raise ValueError(f"{self.name}: give y (weights n_max / n_k) or class_weights, not both")
            if y is not None:
                from serzoo.models.scheme import class_weights_for

                class_weights = class_weights_for(y, n_classes)
            if class_weights is None:
                raise TypeError(
                    f"{self.name} weights its classification losses per class (Yi & Mak: n_max / n_k): "
                    f"build(input_dim, n_classes, y=y_train), or class_weights=[1.0] * n_classes for none"
                )
            kwargs["class_weights"] = class_weights
        return self.build_function()(input_dim=input_dim, n_classes=n_classes, seed=seed, **kwargs)


_REGISTRY: dict[str, SchemeSpec] = {}


def register_scheme(spec: SchemeSpec, *, replace: bool = False) -> SchemeSpec:
    """Add ``spec`` to the registry (``replace=True`` to redefine a name)."""
    if not spec.name.isidentifier() or spec.name != spec.name.lower():
        raise ValueError(f"scheme name {spec.name!r}: use a lower-case identifier, e.g. 'my_gan'")
    if spec.name in _REGISTRY and not replace:
        raise ValueError(f"scheme {spec.name!r} is already registered; pass replace=True to redefine it")
    _REGISTRY[spec.name] = spec
    return spec


def unregister_scheme(name: str) -> None:
    """Remove a scheme registered at run time (tests, notebooks)."""
    get_scheme(name)
    del _REGISTRY[name]


def get_scheme(name: str) -> SchemeSpec:
    if name not in _REGISTRY:
        raise ValueError(f"unknown scheme {name!r}; registered schemes: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def scheme_names(*, exportable: bool | None = None, generator: bool | None = None) -> tuple[str, ...]:
    """Registered scheme names in registration order (only those whose ``exportable`` / ``generator`` flag has the
    given value)."""
    return tuple(
        n
        for n, s in _REGISTRY.items()
        if (exportable is None or s.exportable == exportable) and (generator is None or s.generator == generator)
    )


def not_a_generator(name: str, where: str) -> str | None:
    """The error message for asking ``where`` (e.g. ``"serzoo export --scheme"``) for the classifier-only scheme
    ``name``; ``None`` when ``name`` is not one (a generator, or not registered at all)."""
    spec = _REGISTRY.get(name)
    if spec is None or spec.generator:
        return None
    return (
        f"{name!r} is a classifier-only scheme ({spec.summary}), not a generator: {where} takes a generator "
        f"({', '.join(scheme_names(generator=True))}). Train {name!r} as a classifier"
        + (f" with {spec.classifier}" if spec.classifier else "")
        + "."
    )


def check_generator(name: str, where: str) -> SchemeSpec:
    """The spec of the registered generator ``name``; a clear ``ValueError`` for a classifier-only scheme."""
    message = not_a_generator(name, where)
    if message:
        raise ValueError(message)
    return get_scheme(name)


def register_keras_classes() -> None:
    """Import every registered scheme's module, which registers its classes with Keras
    (``@keras.saving.register_keras_serializable``): Keras can only load a saved scheme whose class it knows.
    ``import serzoo`` arranges this for ``keras.saving.load_model`` as soon as Keras is imported."""
    for spec in _REGISTRY.values():
        spec.build_function()


def load_model(path, **kwargs):
    """``keras.saving.load_model`` for a saved scheme (``model.save("x.keras")``), every scheme class registered
    first (:func:`register_keras_classes`); plain ``keras.saving.load_model`` works as well after ``import serzoo``."""
    import keras

    register_keras_classes()
    return keras.saving.load_model(path, **kwargs)


_YI_MAK = "Yi & Mak, journal (ADAN/WADAN and baselines)"
_SAHU_TAC = "Sahu et al., IEEE TAC (M1-M3)"
_GAN_LATENT = Knob("noise_dim", "int", 8, 256, log=True, why="100 in Yi & Mak, for their GAN baselines unstated")
_GAN_KNOBS = (
    Knob("generator_width", "choice", values=(200, 400, 800), why="unstated; 800 as ADAN's decoder"),
    Knob("discriminator_width", "choice", values=(50, 100, 200), why="unstated; 100 as ADAN's D"),
)
_ADAN_KNOBS = (
    Knob(
        "alpha", "float", 0.03, 3.0, log=True, why="eq. 14's class-loss weight: 1 on EmoDB, 0.1 on IEMOCAP", default=1.0
    ),
    Knob("autoencoder_width", "choice", values=(200, 400, 800), why="800 in the journal, never varied"),
    Knob("width", "choice", values=(50, 100, 200), why="100 in the journal, never varied"),
    Knob("latent_activation", "choice", values=("tanh", "linear"), why="the journal implies linear; serzoo tanh"),
)
_ADAN_LATENT = Knob("latent_dim", "int", 16, 256, log=True, why="100 in the journal, never varied")
_AAE_CODE = Knob("code_dim", "int", 2, 64, log=True, why="2 in Sahu et al. 2017 (for plotting), larger untried")
_SEMI_AAE = "semi-supervised AAE, ICASSP 2019"
_STYLE = Knob("style_dim", "int", 8, 256, log=True, why="100 in the paper, never varied")
for _spec in (
    # Revision 2: the C class GANs train as one batched model. The results committed in benchmarks/results/ before
    # it were made with revision 1 (C sequential fits of build_gan(conditional=False), per_class=True).
    SchemeSpec(
        "gan",
        "serzoo.models.per_class_gan:build_per_class_gan",
        "unconditional GAN in feature space per class, the C GANs trained as one batched model",
        _YI_MAK,
        revision=2,
        latent=_GAN_LATENT,
        knobs=_GAN_KNOBS,
    ),
    SchemeSpec(
        "cgan",
        "serzoo.models.gan:build_gan",
        "conditional GAN in feature space",
        _YI_MAK,
        {"conditional": True},
        latent=_GAN_LATENT,
        knobs=_GAN_KNOBS,
    ),
    SchemeSpec(
        "aae",
        "serzoo.models.aae:build_aae",
        "AAE with a class-conditioned GMM prior",
        "Sahu et al., Interspeech 2017",
        latent=_AAE_CODE,
        knobs=(
            Knob("width", "choice", values=(250, 500, 1000), why="1000 in the paper, never varied"),
            Knob("prior_spread", "float", 1.0, 10.0, why="distance of the class components: unstated", default=5.0),
        ),
    ),
    SchemeSpec(
        "m1",
        "serzoo.models.aae_generators:build_m1",
        "M1: deeper AAE, one Gaussian per class",
        _SAHU_TAC,
        latent=_AAE_CODE,
    ),
    SchemeSpec(
        "m2",
        "serzoo.models.aae_generators:build_m2",
        "M2: M1 + feature-space discriminator D2",
        _SAHU_TAC,
        latent=_AAE_CODE,
    ),
    SchemeSpec(
        "m3",
        "serzoo.models.aae_generators:build_m3",
        "M3: learned prior (code generator), InfoGAN term",
        _SAHU_TAC,
        latent=Knob("code_dim", "int", 16, 512, log=True, why="256 in the paper, never varied"),
    ),
    SchemeSpec(
        "adan",
        "serzoo.models.adan:build_adan",
        "ADAN: adversarial data augmentation network",
        _YI_MAK,
        {"divergence": "js"},
        class_weights=True,
        latent=_ADAN_LATENT,
        knobs=_ADAN_KNOBS,
    ),
    SchemeSpec(
        "wadan",
        "serzoo.models.adan:build_adan",
        "WADAN: ADAN with the Wasserstein divergence",
        _YI_MAK,
        {"divergence": "wasserstein"},
        class_weights=True,
        latent=_ADAN_LATENT,
        knobs=_ADAN_KNOBS,
    ),
    SchemeSpec(
        "semi_aae",
        "serzoo.models.semi_aae:build_semi_aae",
        "semi-supervised AAE: categorical emotion + Gaussian style latent, utterance-level MLP",
        _SEMI_AAE,
        latent=_STYLE,
        knobs=(
            Knob("width", "choice", values=(128, 256, 512), why="256 in the paper, never varied"),
            Knob("optimised", "choice", values=(True, False), why="the paper's ablation (Table 1)"),
        ),
    ),
    SchemeSpec(
        "semi_aae_frames",
        "serzoo.models.semi_aae:build_semi_aae_frames",
        "semi-supervised AAE on fixed-length crops of frame-level LLDs (Conv1D, Table 2)",
        _SEMI_AAE,
        latent=_STYLE,
    ),
    SchemeSpec(
        "dann",
        "serzoo.models.domain_adversarial:build_domain_adversarial",
        "domain-adversarial network: shared encoder, emotion and domain classifiers, gradient reversal",
        "Ganin & Lempitsky, ICML 2015; for SER Abdelwahab & Busso, IEEE/ACM TASLP 2018",
        exportable=False,
        class_weights=True,
        generator=False,
        classifier="serzoo.models.domain_adversarial:DannClassifier",
    ),
):
    register_scheme(_spec)
