"""serzoo's own exception types (no TensorFlow import, so the CLI can catch them cheaply)."""


class DivergenceError(FloatingPointError):
    """Training produced a non-finite loss."""


class UnitsLostError(RuntimeError):
    """Worker processes died before finishing some units of an experiment (the finished ones are stored)."""


class BusyError(RuntimeError):
    """Another process holds the lock of a folder this run would write (e.g. a search's output directory)."""
