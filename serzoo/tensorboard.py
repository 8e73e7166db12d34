"""TensorBoard logs of every training run, switched on once per process (``--tensorboard DIR``).

``SERZOO_TENSORBOARD_DIR`` holds the root folder, so worker processes started by a command inherit it. Each fit
writes its per-epoch losses (each player's loss, as the scheme tracks them) into its own run folder
``<root>/<run>-<n>``; view them with ``tensorboard --logdir <root>``.
"""

from __future__ import annotations

import itertools
import os
import pathlib

ENV = "SERZOO_TENSORBOARD_DIR"
_RUN_NUMBERS = itertools.count(1)


def enable(log_root) -> pathlib.Path:
    """Log every later fit of this process (and of processes it starts) under ``log_root``."""
    root = pathlib.Path(log_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(root)
    return root


def tensorboard_callbacks(run: str) -> list:
    """``[keras.callbacks.TensorBoard]`` writing to a new run folder, or ``[]`` when logging is off."""
    root = os.environ.get(ENV)
    if not root:
        return []
    import keras

    log_dir = pathlib.Path(root) / f"{run}-pid{os.getpid()}-{next(_RUN_NUMBERS)}"
    return [keras.callbacks.TensorBoard(log_dir=str(log_dir), write_graph=False, profile_batch=0)]
