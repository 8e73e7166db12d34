"""Apache Beam options of a dataset build: parsed, checked, and handed to the corpus builders.

``serzoo build emodb/is11 --beam "direct_running_mode=multi_processing,direct_num_workers=2"``, or in Python::

    with beam_options.requested("direct_running_mode=multi_processing,direct_num_workers=2"):
        corpus = serzoo.load_corpus("emodb/is11", manual_dir=..., rebuild=True)

builds every dataset prepared inside the ``with`` through Beam (the builders' shared base,
:mod:`tfds_builders.feature_corpus`, reads :func:`current`); TFDS's own ``tfds build
--beam_pipeline_options=...`` and ``DownloadConfig(beam_options=...)`` reach the same path. Beam is an optional
extra (``pip install -e ".[beam]"``). Two ways in which options vanish without a word become errors here:

- Beam's ``PipelineOptions`` discards a flag it does not know (``direct_num_worker=2``) with a log line and
  exits the process on a bad value (``direct_running_mode=multi_processes``): :func:`check` raises a
  ``ValueError`` naming the option.
- ``tfds build`` drops ``--beam_pipeline_options`` when ``apache_beam`` cannot be imported and builds locally:
  :func:`dropped_by_tfds_cli` finds the flag on the command line so that the builder refuses instead.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import sys

#: how to get Beam, for the errors that need it
INSTALL_HINT = 'install the Beam extra: pip install -e ".[beam]" (or pip install "serzoo[beam]")'
_REQUESTED: contextvars.ContextVar = contextvars.ContextVar("serzoo_beam_options", default=None)


def _apache_beam():
    try:
        return importlib.import_module("apache_beam")
    except ImportError as err:
        raise ImportError(f"a Beam build needs apache_beam, which cannot be imported ({err}); {INSTALL_HINT}") from err


def parse(spec: str):
    """``"a=b,c=d"`` → ``PipelineOptions(["--a=b", "--c=d"])`` (TFDS's ``--beam_pipeline_options`` syntax),
    checked by :func:`check`.

    Raises:
        ImportError: ``apache_beam`` is not installed.
        ValueError: an empty option, an option Beam does not know, or a value it refuses.
    """
    beam = _apache_beam()
    items = [item.strip() for item in spec.split(",")]
    if not spec.strip() or not all(items):
        raise ValueError(f"--beam {spec!r}: expected comma-separated name=value options, e.g. {EXAMPLE!r}")
    options = beam.options.pipeline_options.PipelineOptions(flags=[f"--{item.lstrip('-')}" for item in items])
    check(options)
    return options


#: a local build on two worker processes
EXAMPLE = "direct_running_mode=multi_processing,direct_num_workers=2"


def check(options) -> None:
    """Raise a ``ValueError`` naming every option of ``options`` (a ``PipelineOptions``) that Beam would drop or
    refuse, instead of its log line ("Discarding unparseable args") or its ``SystemExit``."""
    beam = _apache_beam()
    known = set(beam.options.pipeline_options.PipelineOptions([]).get_all_options())
    try:
        given = options.get_all_options(retain_unknown_options=True)
    except SystemExit as err:  # argparse's answer to a refused value (an unknown choice, a non-integer...)
        raise ValueError(
            f"Beam refuses a value among the options {getattr(options, '_flags', options)}; argparse's message "
            "above names it and the accepted values"
        ) from err
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(
            f"Beam does not know the option(s) {', '.join(unknown)} and would drop them silently; check the "
            f"spelling (e.g. {EXAMPLE!r}) or install the runner's extra that defines them"
        )


@contextlib.contextmanager
def requested(spec_or_options):
    """Build every dataset prepared inside the ``with`` through Beam with these options (a ``"a=b,c=d"`` string,
    parsed by :func:`parse`, or a ``PipelineOptions``); ``None`` changes nothing."""
    options = parse(spec_or_options) if isinstance(spec_or_options, str) else spec_or_options
    token = _REQUESTED.set(options) if options is not None else None
    try:
        yield options
    finally:
        if token is not None:
            _REQUESTED.reset(token)


def current():
    """The ``PipelineOptions`` of the innermost :func:`requested`, or ``None``."""
    return _REQUESTED.get()


def dropped_by_tfds_cli(argv=None) -> str | None:
    """The ``--beam_pipeline_options`` value on a ``tfds build`` command line (``argv``, default ``sys.argv``),
    or ``None``. A builder that gets no Beam options although this is set knows that TFDS dropped them."""
    argv = sys.argv if argv is None else argv
    for i, arg in enumerate(argv):
        if arg.startswith("--beam_pipeline_options="):
            value = arg.partition("=")[2]
        elif arg == "--beam_pipeline_options" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value.strip():
            return value
    return None
