"""Quiet by default: a normal run prints serzoo's own progress bars and results, not library noise.

TensorFlow 2.21 writes C++ log lines at import (oneDNN, "Could not find cuda drivers", the absl
"InitializeLog" warning) and a "failed call to cuInit" error at device set-up, whatever
``TF_CPP_MIN_LOG_LEVEL`` says (tensorflow/tensorflow#100442), and later C++ "errors" that are not: e.g. "oneDNN
supports DT_INT32 only on platforms with AVX-512" when a step is traced again for a smaller last batch (it falls
back to Eigen and computes the same). A normal run sets ``TF_CPP_MIN_LOG_LEVEL=3``: real failures still surface as
Python exceptions, with their message. TFDS prints "Downloading and preparing dataset" to stdout on purpose and logs
split progress; ``tf.function`` logs retracing warnings; KerasTuner's Bayesian oracle makes scikit-learn warn about
its Gaussian process on every trial. ``SERZOO_VERBOSE=1`` (``--verbose``) keeps all of it.
"""

from __future__ import annotations

import contextlib
import io
import os

VERBOSE_ENV = "SERZOO_VERBOSE"


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV, "") not in ("", "0")


@contextlib.contextmanager
def stderr_silenced():
    """Point file descriptor 2 at /dev/null (C++ logs bypass Python's ``sys.stderr``); restored on exit."""
    if verbose():
        yield
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow, Keras and TFDS and set up the devices with their C++ start-up lines hidden, then
    lower the Python-side loggers (retracing warnings, absl info) to errors. Safe to call more than once."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose() else "3")
    with stderr_silenced():
        import keras  # noqa: F401
        import tensorflow as tf
        import tensorflow_datasets  # noqa: F401

        tf.config.list_physical_devices()  # device set-up logs its cuInit error here
    if not verbose():
        import logging

        import absl.logging

        tf.get_logger().setLevel(logging.ERROR)
        absl.logging.set_verbosity(absl.logging.ERROR)
        hide_optimizer_warnings()


def hide_optimizer_warnings() -> None:
    """KerasTuner's Bayesian oracle refits a scikit-learn Gaussian process per trial; its length scales often sit
    at their bounds and scikit-learn then warns (``ConvergenceWarning``) on every trial. It is about the GP's own
    fit, not about the search's result, so a normal run hides it (``--verbose`` keeps it)."""
    if verbose():
        return
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning, module=r"sklearn\.gaussian_process")


@contextlib.contextmanager
def tfds_messages_hidden():
    """Hide TFDS's own prints around ``download_and_prepare`` (serzoo's extraction progress bar stays)."""
    if verbose():
        yield
        return
    import tensorflow_datasets as tfds

    tfds.disable_progress_bar()
    with contextlib.redirect_stdout(io.StringIO()):
        yield
