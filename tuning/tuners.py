"""KerasTuner's own tuners (random search, Bayesian optimisation, Hyperband) running serzoo trials.

Each tuner is the stock KerasTuner class with one change, :meth:`FoldTrials.run_trial`: a trial is the
hypermodel's inner-fold measurement (``executions_per_trial`` times, seeds ``seed``, ``seed + 1``, ...;
KerasTuner averages them), not one ``model.fit``. Under Hyperband the bracket's ``tuner/epochs`` are the
generator's epochs, and every round trains from scratch (each inner fold trains its own generator, so there is
no single model to warm-start). Everything else is KerasTuner's: the oracle, the project directory that
resumes an interrupted search, and the chief/worker mode (:func:`distributed_role`).

A trial that raises, diverges or gives a non-finite measure is recorded FAILED with its reason
(``trial.message``); :func:`trial_summary` counts them.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import time

import keras_tuner as kt

from serzoo.report import write_json
from serzoo.tuning.space import TUNER_KINDS

FINISHED = ("COMPLETED", "FAILED", "INVALID")  #: KerasTuner trial statuses that count towards max_trials

#: Environment variables of KerasTuner's distributed mode.
ORACLE_IP, ORACLE_PORT, TUNER_ID = "KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID"


class FoldTrials:
    """Mixin for a KerasTuner tuner class: trials measured by the hypermodel's ``fit`` (see module docstring).

    ``trial_seed`` seeds the first execution; the trial's per-fold measures go to ``trial_<id>/folds.json``
    and the tuner id that ran it, with its wall time, to ``workers/<tuner id>.jsonl`` (who ran what, in a
    distributed search).
    TensorBoard logs of every generator fit go to ``tensorboard/trial_<id>`` when ``tensorboard`` is set.
    """

    trial_seed = 0
    tensorboard = True
    progress = True

    def on_search_begin(self):
        from tqdm.auto import tqdm

        super().on_search_begin()
        self._bar = tqdm(
            total=getattr(self.oracle, "max_trials", None),
            initial=self._search_finished(),
            unit="trial",
            desc=f"trials ({self.tuner_id})",
            disable=not self.progress,
        )

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        self._bar.update(max(self._search_finished() - self._bar.n, 0))
        self._bar.set_postfix_str(f"last {trial.status.lower()}", refresh=True)

    def _search_finished(self) -> int:
        """Finished trials (completed or failed, as max_trials counts them) of the whole search: every worker's
        and earlier sessions', asked of the oracle (the chief's, through KerasTuner's client on a worker), so
        that the bar and its ETA are the search's."""
        trials = self.oracle.get_best_trials(getattr(self.oracle, "max_trials", None) or 1_000_000)
        return sum(t.status in FINISHED for t in trials)

    def on_search_end(self):
        super().on_search_end()
        self._bar.close()

    def get_best_models(self, num_models=1):
        """Not available: no trial leaves a model (each inner fold trains its own generator)."""
        raise ValueError(
            "get_best_models: a serzoo trial trains one generator per inner fold and keeps none; retrain the best "
            "setting: hypermodel.setting(tuner.get_best_hyperparameters()[0]), then "
            "serzoo.augmenters.tuned_augmenter(setting).fit(x, y, n_classes) (or `serzoo export --hparams`)"
        )

    def run_trial(self, trial, *args, **kwargs):
        from serzoo.tuning.hypermodel import refuse_search_arguments

        refuse_search_arguments(args, kwargs)
        hp = trial.hyperparameters
        budget = hp.values.get("tuner/epochs")
        results, folds, start = [], [], time.perf_counter()
        with self._tensorboard(trial.trial_id):
            for execution in range(self.executions_per_trial):
                try:
                    results.append(self.hypermodel.fit(hp, None, seed=self.trial_seed + execution, budget=budget))
                except (kt.errors.FailedTrialError, kt.errors.FatalError, KeyboardInterrupt):
                    raise
                except Exception as err:  # recorded as a failed trial with its traceback, never swallowed silently
                    raise kt.errors.FailedTrialError(f"{type(err).__name__}: {err}") from err
                folds.append(getattr(self.hypermodel, "last_folds", {}))
        write_json(folds, pathlib.Path(self.get_trial_dir(trial.trial_id)) / "folds.json")
        workers = pathlib.Path(self.project_dir) / "workers"
        workers.mkdir(exist_ok=True)
        with open(workers / f"{self.tuner_id}.jsonl", "a", encoding="utf-8") as log:
            log.write(
                json.dumps(
                    {"trial_id": trial.trial_id, "pid": os.getpid(), "seconds": round(time.perf_counter() - start, 1)}
                )
                + "\n"
            )
        return results

    @contextlib.contextmanager
    def _tensorboard(self, trial_id: str):
        from serzoo.tensorboard import ENV

        if not self.tensorboard:
            yield
            return
        saved = os.environ.get(ENV)
        os.environ[ENV] = str(pathlib.Path(self.project_dir).resolve() / "tensorboard" / f"trial_{trial_id}")
        try:
            yield
        finally:
            if saved is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = saved


class RandomSearch(FoldTrials, kt.RandomSearch):
    """``keras_tuner.RandomSearch`` with serzoo trials."""


class BayesianOptimization(FoldTrials, kt.BayesianOptimization):
    """``keras_tuner.BayesianOptimization`` (Gaussian process) with serzoo trials."""


class Hyperband(FoldTrials, kt.Hyperband):
    """``keras_tuner.Hyperband`` with serzoo trials: ``max_epochs`` is the largest generator budget."""


TUNERS = dict(zip(TUNER_KINDS, (RandomSearch, BayesianOptimization, Hyperband)))


def make_tuner(
    kind: str,
    hypermodel,
    objective,
    *,
    directory,
    project_name: str,
    max_trials: int,
    executions_per_trial: int = 1,
    seed: int = 0,
    max_epochs: int = 400,
    max_failures: int = 3,
    tensorboard: bool = True,
):
    """A tuner of ``kind`` (:data:`TUNERS`) over ``directory/project_name`` (resumed if it exists)."""
    if kind not in TUNERS:
        raise ValueError(f"unknown tuner {kind!r}; choose one of: {', '.join(TUNERS)}")
    common = dict(
        objective=objective,
        seed=seed,
        directory=str(directory),
        project_name=project_name,
        executions_per_trial=executions_per_trial,
        max_consecutive_failed_trials=max_failures,
        overwrite=False,
    )
    if kind == "hyperband":
        tuner = Hyperband(hypermodel, max_epochs=max_epochs, factor=3, **common)
    else:
        tuner = TUNERS[kind](hypermodel, max_trials=max_trials, **common)
    tuner.trial_seed, tuner.tensorboard = seed, tensorboard
    return tuner


@contextlib.contextmanager
def distributed_role(role: str | None, oracle: str | None, tuner_id: str | None):
    """Set KerasTuner's distributed-mode variables for one search (restored afterwards).

    ``role="chief"`` serves the oracle at ``oracle`` (``HOST:PORT``) and runs no trials; ``role="worker"``
    runs trials the chief hands out (``tuner_id`` default ``worker-<host>-<pid>``). Without ``role`` the
    variables already in the environment (if any) decide, as in KerasTuner; otherwise the search is local and its
    tuner's id is ``"chief"`` (the id that owns the oracle, so a local rerun resumes a distributed search).
    """
    saved = {name: os.environ.get(name) for name in (ORACLE_IP, ORACLE_PORT, TUNER_ID)}
    try:
        if role:
            if role not in ("chief", "worker"):
                raise ValueError(f"--role must be chief or worker, got {role!r}")
            host, _, port = (oracle or "").rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"--role {role} needs --oracle HOST:PORT (the chief's address), got {oracle!r}")
            os.environ[ORACLE_IP], os.environ[ORACLE_PORT] = host, port
            if role == "chief":
                os.environ[TUNER_ID] = "chief"
            else:
                worker = tuner_id or f"worker-{os.uname().nodename}-{os.getpid()}"
                if "chief" in worker:
                    raise ValueError(f"--tuner-id {worker!r}: a worker's id must not contain 'chief'")
                os.environ[TUNER_ID] = worker
        elif os.environ.get(ORACLE_IP):
            if not (os.environ.get(ORACLE_PORT) and os.environ.get(TUNER_ID)):
                raise ValueError(
                    f"{ORACLE_IP} is set: KerasTuner's distributed mode also needs {ORACLE_PORT} and "
                    f"{TUNER_ID} (or use --role chief|worker --oracle HOST:PORT)"
                )
        else:  # one local process owns the oracle, under the chief's id, so that local and distributed runs of
            # one project directory resume each other (KerasTuner reloads a project under the same id only)
            os.environ[TUNER_ID] = tuner_id or "chief"
        yield current_role()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def oracle_address() -> str:
    """``HOST:PORT`` of the chief, from KerasTuner's environment variables."""
    return f"{os.environ.get(ORACLE_IP)}:{os.environ.get(ORACLE_PORT)}"


def wait_for_chief(timeout: float, log=print) -> None:
    """Return once the chief's oracle answers at :func:`oracle_address`; after ``timeout`` seconds raise
    ``ConnectionError`` naming the address (KerasTuner's client would wait an hour, saying nothing). Also bounds each
    later request to the chief by ``timeout`` (:func:`chief_errors` turns a chief that stops answering into a
    message)."""
    import grpc
    from keras_tuner.src.distribute import oracle_client

    oracle_client.TIMEOUT = timeout
    address = oracle_address()
    channel = grpc.insecure_channel(address)
    try:
        ready = grpc.channel_ready_future(channel)
        try:
            ready.result(timeout=min(5.0, timeout))
        except grpc.FutureTimeoutError:
            log(f"waiting up to {timeout:.0f} s for the chief's oracle at {address} ...")
            try:
                ready.result(timeout=max(timeout - 5.0, 0.0))
            except grpc.FutureTimeoutError:
                raise ConnectionError(
                    f"no chief answers at {address} after {timeout:.0f} s: start `serzoo tune ... --role chief "
                    f"--oracle {address}` first, check the address, or raise --oracle-timeout"
                ) from None
    finally:
        channel.close()


@contextlib.contextmanager
def chief_errors(role: str, timeout: float):
    """On a worker, turn a gRPC failure (the chief stopped answering for ``timeout`` seconds) into a
    ``ConnectionError`` naming its address."""
    if role != "worker":
        yield
        return
    import grpc

    try:
        yield
    except grpc.RpcError as err:
        code = err.code().name if hasattr(err, "code") else type(err).__name__
        raise ConnectionError(
            f"the chief at {oracle_address()} stopped answering ({code}, waited up to {timeout:.0f} s); "
            "finished trials are kept: start the chief again and rerun this worker"
        ) from None


def forget_finished_retries(oracle) -> list[str]:
    """Keep a reloaded project from running finished trials again; returns the trial ids that will re-run.

    On reload KerasTuner 1.4 puts every trial its last save listed as ongoing into the retry queue. That list
    is saved *before* a finished trial is removed from it (``Oracle.end_trial``), so the last trial of a
    distributed search, or one that ended just before a kill, would run again. Finished (completed or failed)
    trials leave the queue; interrupted ones stay and run again under the same id and hyperparameters.
    """
    done = ("COMPLETED", "FAILED")
    oracle._retry_queue = [t for t in oracle._retry_queue if oracle.trials[t].status not in done]
    return list(oracle._retry_queue)


def current_role() -> str:
    """``chief``, ``worker`` or ``local``, from KerasTuner's environment variables."""
    if not os.environ.get(ORACLE_IP):
        return "local"
    return "chief" if "chief" in os.environ.get(TUNER_ID, "") else "worker"


def trial_summary(oracle) -> dict:
    """Counts by status, the completed trials best first, and every failed trial with its reason."""
    trials = list(oracle.trials.values())
    counts = {}
    for trial in trials:
        counts[trial.status] = counts.get(trial.status, 0) + 1
    failed = [
        {"trial_id": t.trial_id, "reason": failure_reason(t.message)}
        for t in trials
        if t.status in ("FAILED", "INVALID")
    ]
    return {
        "counts": counts,
        "n_trials": len(trials),
        "failed": failed,
        "completed": [t for t in oracle.get_best_trials(len(trials)) if t.status == "COMPLETED"],
    }


def failure_reason(message) -> str:
    """The first line of the error that failed a trial (KerasTuner keeps the traceback)."""
    lines = [line for line in str(message or "").splitlines() if line.strip()]
    return lines[-1].split("FailedTrialError:", 1)[-1].strip() if lines else "unknown"
