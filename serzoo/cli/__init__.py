"""The ``serzoo`` command: one module per subcommand, each registering its own subparser (``register``) and
running it (``run``). No module imports TensorFlow at import time, so ``serzoo --help`` is instant.

Expected errors (bad input, missing files, an existing export, a diverging model) end in a one-line message and
exit code 2; an interrupt ends with exit code 130, SIGTERM (handled like Ctrl-C) with 143.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading

#: Subcommand modules, in the order ``serzoo --help`` lists them.
COMMANDS = (
    "demo",
    "build",
    "evaluate",
    "baselines",
    "reproduce",
    "semi_aae",
    "frame_generators",
    "compare_generators",
    "code_vectors",
    "cross_corpus",
    "regimes",
    "adapt",
    "export",
    "presets",
    "schemes",
    "verify_corpus",
)
#: Commands that train schemes (``--tensorboard``); every command that runs TensorFlow takes ``--threads``.
SCHEME_COMMANDS = {
    "demo",
    "reproduce",
    "semi_aae",
    "frame_generators",
    "compare_generators",
    "code_vectors",
    "cross_corpus",
    "regimes",
    "export",
}


def build_parser() -> argparse.ArgumentParser:
    from serzoo import __version__
    from serzoo.cli import common

    parser = argparse.ArgumentParser(
        prog="serzoo", description="Adversarial data augmentation for speech emotion recognition.", allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"serzoo {__version__}", help="print serzoo's version")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = [(name, importlib.import_module(f"serzoo.cli.{name}")) for name in COMMANDS]
    modules += [(entry.name, entry.load()) for entry in plugin_commands()]
    for name, module in modules:
        before = set(sub.choices)
        module.register(sub)
        for added in set(sub.choices) - before:
            sub.choices[added].allow_abbrev = False  # `--seed 1` must not be read as `--seeds 1`
            trains = name in SCHEME_COMMANDS or name not in COMMANDS
            common.add_common_options(
                sub.choices[added],
                trains_schemes=trains,
                tensorflow=name not in ("presets", "schemes", "verify_corpus"),
            )
    return parser


def plugin_commands():
    """Commands of other installed packages (entry point group ``serzoo.commands``: ``tune`` from ``serzoo.tuning``);
    each is a module with ``register(subparsers)`` like the ones above. Plugins train schemes and use TensorFlow."""
    from importlib.metadata import entry_points

    return sorted(entry_points(group="serzoo.commands"), key=lambda entry: entry.name)


def main(argv: list[str] | None = None) -> int:
    from serzoo.cli import common
    from serzoo.errors import DivergenceError, UnitsLostError

    args = build_parser().parse_args(argv)
    saved = {name: os.environ.get(name) for name in common.PROCESS_SETTINGS}
    try:
        with _sigterm_as_interrupt():
            common.prepare(args)
            return args.run(args)
    except (ValueError, FileNotFoundError, FileExistsError, DivergenceError, UnitsLostError) as err:
        print(f"serzoo {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        print(
            f"serzoo {args.command}: {'terminated' if isinstance(err, Terminated) else 'interrupted'}; finished "
            "work is kept (run the same command to resume)",
            file=sys.stderr,
        )
        return 143 if isinstance(err, Terminated) else 130
    finally:  # the settings are for this run (and its workers), not for a caller that runs commands in-process
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs (staging folders, worker processes)."""


def _raise_terminated(signum, frame):
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Handle SIGTERM like SIGINT for the duration of a command (main thread only; restored afterwards)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
