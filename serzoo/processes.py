"""Worker processes that die with their parent.

serzoo's openSMILE workers are spawned processes (see :func:`serzoo.features.extract_many`). A
``ProcessPoolExecutor`` worker blocks on its task queue, whose pipe it holds open itself, so when the
parent is killed (SIGKILL, or SIGTERM without a handler) the workers never notice and keep running.
Each worker therefore asks the kernel to kill it when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``)
and, where that is not available, polls its parent's PID from a daemon thread.

Example:
    >>> with process_pool(2) as pool:                       # doctest: +SKIP
    ...     values = list(pool.map(work, items))
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
#: seconds between parent checks where the kernel cannot signal the parent's death
POLL_SECONDS = 1.0


def _set_parent_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; False where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):
        return False
    return prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this process as soon as ``parent_pid`` (its parent) is gone."""
    if not _set_parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``workers`` freshly spawned processes (no inherited TensorFlow) that die with this one."""
    return concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def child_process(argv: list[str], **popen_options):
    """``subprocess.Popen(argv)`` of a process that the kernel kills when this one dies (Linux), e.g. the
    workers of a local distributed search (:mod:`serzoo.tuning.parallel`)."""
    import subprocess

    return subprocess.Popen(argv, preexec_fn=_set_parent_death_signal, **popen_options)
