"""The scheme registry: every adversarial scheme by name, with what the other layers need to know about it.

``augmenters``, ``export``, the experiments, the CLI and ``tuning/`` read this registry and nothing else to
find a scheme. Adding one is one module in ``serzoo/models/`` (a :class:`~serzoo.models.scheme.AdversarialScheme`
subclass and a ``build_<name>(input_dim, n_classes, **options)`` function), one :func:`register_scheme` call
below (or at run time, from a user's own module) and its test; its training settings per paper go into
:mod:`serzoo.presets` (a scheme without an entry there trains with serzoo's defaults).

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
class SchemeSpec:
    """A registered scheme.

    Args:
        name: the name used everywhere (``augment(..., "wadan")``, ``--scheme``, ``--methods``).
        builder: ``"package.module:function"`` or a callable ``(input_dim, n_classes, **options) -> model``.
        summary: one line for ``--help`` and the README.
        paper: the paper the scheme comes from.
        builder_options: fixed keyword arguments of the builder (e.g. ``divergence="js"``).
        exportable: one conditional generator, so ``serzoo export`` can write it as one SavedModel.
        per_class: the generator ignores labels; augmentation trains one model per class.
        class_weights: the builder takes ``class_weights`` (n_max / n_k, Yi & Mak) from the training labels.
        revision: raised when the scheme's implementation changes what it computes; stored experiment units
            of an older revision are then not reused (their keys differ).
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

    def build_function(self) -> Callable:
        if callable(self.builder):
            return self.builder
        module, _, function = self.builder.partition(":")
        return getattr(importlib.import_module(module), function)

    def build(self, input_dim: int, n_classes: int, *, seed: int | None = None, class_weights=None, **options):
        """A new, untrained model; ``options`` override :attr:`builder_options`."""
        kwargs = {**self.builder_options, **options}
        if self.class_weights and class_weights is not None:
            kwargs.setdefault("class_weights", class_weights)
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


def scheme_names(*, exportable: bool | None = None) -> tuple[str, ...]:
    """Registered scheme names in registration order (only the exportable ones if ``exportable``)."""
    return tuple(n for n, s in _REGISTRY.items() if exportable is None or s.exportable == exportable)


_YI_MAK = "Yi & Mak, journal (ADAN/WADAN and baselines)"
_SAHU_TAC = "Sahu et al., IEEE TAC (M1-M3)"
_SEMI_AAE = "semi-supervised AAE, ICASSP 2019"
for _spec in (
    # Revision 2: the C class GANs train as one batched model. The results committed in benchmarks/results/ before
    # it were made with revision 1 (C sequential fits of build_gan(conditional=False), per_class=True).
    SchemeSpec("gan", "serzoo.models.per_class_gan:build_per_class_gan",
               "unconditional GAN in feature space per class, the C GANs trained as one batched model", _YI_MAK,
               revision=2),
    SchemeSpec("cgan", "serzoo.models.gan:build_gan", "conditional GAN in feature space", _YI_MAK,
               {"conditional": True}),
    SchemeSpec("aae", "serzoo.models.aae:build_aae", "AAE with a class-conditioned GMM prior",
               "Sahu et al., Interspeech 2017"),
    SchemeSpec("m1", "serzoo.models.aae_generators:build_m1", "M1: deeper AAE, one Gaussian per class", _SAHU_TAC),
    SchemeSpec("m2", "serzoo.models.aae_generators:build_m2", "M2: M1 + feature-space discriminator D2",
               _SAHU_TAC),
    SchemeSpec("m3", "serzoo.models.aae_generators:build_m3", "M3: learned prior (code generator), InfoGAN term",
               _SAHU_TAC),
    SchemeSpec("adan", "serzoo.models.adan:build_adan", "ADAN: adversarial data augmentation network", _YI_MAK,
               {"divergence": "js"}, class_weights=True),
    SchemeSpec("wadan", "serzoo.models.adan:build_adan", "WADAN: ADAN with the Wasserstein divergence", _YI_MAK,
               {"divergence": "wasserstein"}, class_weights=True),
    SchemeSpec("semi_aae", "serzoo.models.semi_aae:build_semi_aae",
               "semi-supervised AAE: categorical emotion + Gaussian style latent, utterance-level MLP",
               _SEMI_AAE),
    SchemeSpec("semi_aae_frames", "serzoo.models.semi_aae:build_semi_aae_frames",
               "semi-supervised AAE on fixed-length crops of frame-level LLDs (Conv1D, Table 2)", _SEMI_AAE),
):
    register_scheme(_spec)
