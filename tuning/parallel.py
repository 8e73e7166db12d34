"""A search over ``--jobs N`` local processes, with KerasTuner's own chief/worker mode on 127.0.0.1.

One chief process serves the oracle; N single-threaded worker processes (each paying TensorFlow's start-up
once) ask it for trials and run them, all in the one project directory, which the calling process holds
(:mod:`serzoo.tuning.project`) for them. When the workers are done, the calling process reloads the finished project
(no trial is redone) and writes the report and the evaluation. A worker that dies loses only its running trial: the
rerun of the same command resumes the search. However this process ends (done, Ctrl-C, SIGTERM, an error), its
chief and workers end with it: they are asked to stop (SIGTERM, which they handle like Ctrl-C) and only killed if
they have not stopped after :data:`STOP_GRACE` seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

#: Seconds the chief may take to notice the end of the search after the last worker exits (it polls every 20 s).
CHIEF_GRACE = 60
#: Seconds a chief or worker may take to stop after SIGTERM before it is killed.
STOP_GRACE = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_count(jobs: int, max_trials: int | None, log=print) -> int:
    """``jobs`` capped by the trials there are to run (``max_trials``; None: no cap, Hyperband) and by this machine's
    cores: a worker beyond either would load TensorFlow and the corpus (about 1 GB) and run nothing."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = min(jobs, cores, max_trials or jobs)
    if workers < jobs:
        why = [f"{max_trials} trial{'s' * (max_trials != 1)}"] * (workers == max_trials)
        why += [f"{cores} core{'s' * (cores != 1)}"] * (workers == cores)
        log(f"--jobs {jobs}: running {workers} worker{'s' * (workers != 1)} ({' and '.join(why)})")
    return workers


def run_workers(tune_argv: list[str], jobs: int, *, output_dir, oracle_timeout: float, log=print) -> None:
    """Run ``serzoo tune <tune_argv>`` as a local chief and ``jobs`` workers; return when the search is done.

    The caller holds ``output_dir``'s lock (:func:`serzoo.tuning.search.open_search`): the chief is told so. Raises
    :class:`serzoo.tuning.search.SearchFailedError` if every worker failed (exit code != 0).
    """
    from serzoo.processes import child_process
    from serzoo.tuning.project import LOCK_HELD_ENV
    from serzoo.tuning.search import SearchFailedError

    oracle = f"127.0.0.1:{free_port()}"
    command = [
        sys.executable,
        "-m",
        "serzoo.cli",
        "tune",
        *tune_argv,
        "--oracle",
        oracle,
        "--oracle-timeout",
        str(oracle_timeout),
        "--no-evaluate",
    ]
    env = {**os.environ, LOCK_HELD_ENV: str(os.path.realpath(output_dir))}
    processes = []
    try:
        chief = child_process([*command, "--role", "chief", "--threads", "1"], env=env)
        processes.append(chief)
        time.sleep(1.0)
        workers = []
        for i in range(jobs):
            workers.append(child_process([*command, "--role", "worker", "--tuner-id", f"local{i}", "--threads", "1"]))
            processes.append(workers[-1])
        log(f"search over {jobs} local workers, oracle at {oracle}")
        codes = [worker.wait() for worker in workers]
        try:
            chief.wait(CHIEF_GRACE)
        except subprocess.TimeoutExpired:  # the chief has not noticed yet: the trials are on disk, so stop it
            pass
    finally:
        stop(processes)
    if all(code != 0 for code in codes):
        raise SearchFailedError(
            f"every local worker of the search failed (exit codes {codes}); run with --jobs 1 to see the error"
        )


def stop(processes, grace: float = STOP_GRACE) -> None:
    """End ``processes``: SIGTERM to those still running, then SIGKILL to any still running after ``grace`` s (said on
    stderr: a process that had to be killed may leave its running trial to be redone)."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed = []
    for process in running:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            killed.append(process.pid)
    if killed:
        print(
            f"serzoo tune: killed local search processes {killed}: not stopped {grace:.0f} s after SIGTERM",
            file=sys.stderr,
        )
