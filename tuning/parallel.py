"""A search over ``--jobs N`` local processes, with KerasTuner's own chief/worker mode on 127.0.0.1.

One chief process serves the oracle; N single-threaded worker processes (each paying TensorFlow's start-up
once) ask it for trials and run them, all in the one project directory. When the workers are done, the calling
process reloads the finished project (no trial is redone) and writes the report and the evaluation. A worker
that dies loses only its running trial: the rerun of the same command resumes the search.
"""

from __future__ import annotations

import socket
import sys
import time

#: Seconds the chief may take to notice the end of the search after the last worker exits (it polls every 20 s).
CHIEF_GRACE = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_workers(tune_argv: list[str], jobs: int, log=print) -> None:
    """Run ``serzoo tune <tune_argv>`` as a local chief and ``jobs`` workers; return when the search is done.

    Raises RuntimeError if every worker failed (exit code != 0) — their stderr tails are in the message.
    """
    from serzoo.processes import child_process

    oracle = f"127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "serzoo.cli", "tune", *tune_argv, "--oracle", oracle, "--no-evaluate"]
    chief = child_process([*command, "--role", "chief", "--threads", "1"])
    time.sleep(1.0)
    workers = [
        child_process([*command, "--role", "worker", "--tuner-id", f"local{i}", "--threads", "1"]) for i in range(jobs)
    ]
    log(f"search over {jobs} local workers, oracle at {oracle}")
    try:
        codes = [worker.wait() for worker in workers]
        try:
            chief.wait(CHIEF_GRACE)
        except Exception:  # the chief has not noticed yet: the trials are on disk, so stop it
            chief.terminate()
            chief.wait()
    finally:
        for process in (*workers, chief):
            if process.poll() is None:
                process.kill()
                process.wait()
    if all(code != 0 for code in codes):
        raise RuntimeError(
            f"every local worker of the search failed (exit codes {codes}); run with --jobs 1 to see the error"
        )
