"""``python -m serzoo.cli`` is the ``serzoo`` command (and how serzoo starts its own processes, e.g. a local search's
chief and workers)."""

from serzoo.cli import entry

entry()
