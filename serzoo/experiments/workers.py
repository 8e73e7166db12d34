"""Independent units of an experiment spread over worker processes that stay alive across units (``--jobs N``).

Each worker is a spawned Python process that imports TensorFlow once, runs single-threaded (N one-thread workers
use N cores with less contention than one N-thread process; BENCHMARKS.md, threads), builds its context once
(``setup``, e.g. the corpus) and then computes the units the parent hands it, one at a time. Only the parent writes
results (to the experiment's unit store), so a unit is either stored whole or not at all:

- a worker that dies mid-unit (killed, out of memory) loses only that unit: the others go on, and the run ends
  with :class:`~serzoo.errors.UnitsLostError` naming what to run again (the rerun computes only the missing units);
- an exception inside a unit stops handing out new units; the units in flight finish and are stored, then the
  exception is raised in the parent;
- workers die with the parent (:func:`serzoo.processes.die_with_parent`, plus a parent check between units).

``jobs=1`` computes in the calling process with the same ``setup``/``compute`` functions, so one-thread runs give
the same units either way.
"""

from __future__ import annotations

import collections
import os
import queue
import signal
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait

from serzoo.errors import UnitsLostError

#: Seconds between the parent's checks of its workers while it waits for a result.
POLL_SECONDS = 0.5


def default_jobs() -> int:
    """The number of cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def set_tensorflow_threads(threads: int | None) -> None:
    """TensorFlow's intra-/inter-op thread pools (before any op runs; ``None`` keeps TensorFlow's default)."""
    if threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def run_units(
    units: Sequence[tuple[str, tuple]],
    compute: Callable,
    on_done: Callable,
    *,
    jobs: int = 1,
    setup: Callable | None = None,
    setup_args: tuple = (),
    progress=None,
) -> None:
    """Compute ``compute(context, *args)`` for every ``(key, args)`` in ``units`` and pass each result to
    ``on_done(key, result)`` in the parent as it arrives. ``context = setup(*setup_args)`` once per process.

    ``compute`` and ``setup`` must be module-level functions (workers import them by name). ``progress`` is an
    optional tqdm bar advanced once per finished unit.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if jobs == 1 or len(units) <= 1:
        context = setup(*setup_args) if setup else None
        for key, args in units:
            if progress is not None:
                progress.set_postfix_str(key)
            on_done(key, compute(context, *args))
            if progress is not None:
                progress.update(1)
        return
    _Pool(min(jobs, len(units)), compute, setup, setup_args).run(units, on_done, progress)


class _Pool:
    def __init__(self, jobs, compute, setup, setup_args):
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.workers = []  # (process, task queue, result pipe): one result pipe per worker, so that a worker killed
        # while sending cannot block the others (a shared Queue's write lock would stay held by the dead process)
        for index in range(jobs):
            tasks = context.Queue()
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker_main,
                daemon=True,
                args=(index, os.getpid(), _registry_snapshot(), compute, setup, setup_args, tasks, writer),
            )
            process.start()
            writer.close()  # the worker holds the only write end: its death reads as EOF here
            self.workers.append((process, tasks, reader))

    def run(self, units, on_done, progress) -> None:
        self.pending = collections.deque(units)
        self.busy: dict[int, str] = {}  # worker index -> key of the unit it computes
        self.alive = set(range(len(self.workers)))
        self.lost, self.error = [], None
        self.on_done, self.progress = on_done, progress
        try:
            while self.busy or (self.pending and self.alive and self.error is None):
                self._hand_out()
                readers = {self.workers[i][2]: i for i in self.alive}
                ready = wait(list(readers), timeout=POLL_SECONDS)
                for reader in ready:
                    self._drain(readers[reader])
                if not ready:
                    self._check_workers()
        finally:
            self.close()
        if self.error is not None:
            raise self.error
        lost = self.lost + [key for key, _ in self.pending]
        if lost:
            raise UnitsLostError(
                f"{len(lost)} unit(s) not computed because worker processes died ({', '.join(lost[:5])}"
                f"{', ...' if len(lost) > 5 else ''}); the finished units are stored: run the same command again to "
                "compute the rest"
            )

    def _hand_out(self) -> None:
        for index in sorted(self.alive - set(self.busy)):
            if self.pending and self.error is None:
                key, args = self.pending.popleft()
                self.busy[index] = key
                self.workers[index][1].put((key, args))

    def _receive(self, message) -> None:
        index, kind, key, payload = message
        self.busy.pop(index, None)
        if kind == "done":
            self.on_done(key, payload)
            if self.progress is not None:
                self.progress.set_postfix_str(key)
                self.progress.update(1)
        elif self.error is None:
            self.error = payload

    def _drain(self, index: int) -> None:
        """Receive what worker ``index`` has sent; at end of file (it died) its unit in progress is lost."""
        reader = self.workers[index][2]
        try:
            while reader.poll():
                self._receive(reader.recv())
        except (EOFError, OSError):
            self._dead(index)

    def _dead(self, index: int) -> None:
        self.alive.discard(index)
        if index in self.busy:
            self.lost.append(self.busy.pop(index))

    def _check_workers(self) -> None:
        for index in [i for i in self.alive if not self.workers[i][0].is_alive()]:
            self._drain(index)  # a result sent just before the worker died still counts
            self._dead(index)

    def close(self) -> None:
        for process, tasks, _ in self.workers:
            if process.is_alive():
                tasks.put(None)
        for process, _, _ in self.workers:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


def _registry_snapshot() -> list:
    """The parent's scheme registry, so that schemes registered at run time exist in the workers too."""
    from serzoo.models import get_scheme, scheme_names

    return [get_scheme(name) for name in scheme_names()]


def _worker_main(index, parent_pid, schemes, compute, setup, setup_args, tasks, results) -> None:
    from serzoo.processes import die_with_parent

    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops the workers
    from serzoo import quiet
    from serzoo.models import register_scheme

    for spec in schemes:
        register_scheme(spec, replace=True)

    quiet.import_tensorflow_quietly()
    set_tensorflow_threads(1)
    context = setup(*setup_args) if setup else None
    while True:
        try:
            item = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return
            continue
        if item is None:
            return
        key, args = item
        try:
            results.send((index, "done", key, compute(context, *args)))
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
            results.send((index, "error", key, _picklable(err)))


def _picklable(err: BaseException) -> BaseException:
    import pickle

    try:
        pickle.dumps(err)
        return err
    except Exception:  # noqa: BLE001
        return RuntimeError("".join(traceback.format_exception(err)))
