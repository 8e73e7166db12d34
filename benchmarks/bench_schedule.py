"""Benchmark: generator quality on training speakers against epochs and Adam learning rate (issue 13).

For each scheme, one training run per Adam rate on the training speakers of fold 1 (the held-out speaker is
never used), measured at several epoch counts of that run with
:func:`bench_generator_quality.synthetic_quality` (TRTS, TSTR, MMD of one synthetic set of the training set's
size). With a constant rate, the first ``e`` epochs of a longer run are an ``e``-epoch run: same batches, same
noise (the measurement samples with explicit seeds, which do not advance the training's generators; the test
``tests/test_schedule_bench.py`` checks it). Fit seconds at a checkpoint = training time up to it (model
build and XLA compilation included, measurements excluded), measured on a shared machine.

Resumable: each finished cell (scheme, rate, batch, epochs, seed) is appended to ``--output`` (JSONL) and skipped by
a rerun; a run whose cells are all stored is not trained, an interrupted one is trained again from the start
and writes only its missing cells.

Run (EmoDB IS11, a few hours on 2 cores):
    nice -n 19 python benchmarks/bench_schedule.py --manual-dir $SERZOO_EMODB_DIR
    python benchmarks/bench_schedule.py --table        # Markdown from the stored cells only
    # a second fold and seed, the reference and the 1e-3 candidates only:
    nice -n 19 python benchmarks/bench_schedule.py --manual-dir $SERZOO_EMODB_DIR --held-out speaker13 --seed 1 \
        --runs "1e-4:400;1e-3:50,100,200" --output benchmarks/results/schedule/emodb_is11_fold13_seed1.jsonl
"""

import argparse
import json
import os
import pathlib
import time

from bench_generator_quality import synthetic_quality, training_speakers

from serzoo.schedules import YI_MAK_BATCH, Training

SCHEMES = ("adan", "wadan", "aae", "cgan", "gan")
#: Adam rate and the epochs measured in its run; the first run's last point is the quality reference.
RUNS = "1e-4:50,100,200,400;1e-3:25,50,100,200;3e-4:25,50,100,200"
REFERENCE = (1e-4, 400)
OUTPUT = pathlib.Path(__file__).parent / "results" / "schedule" / "emodb_is11_fold1.jsonl"


def parse_runs(text: str) -> list[tuple[float, int, str, list[int]]]:
    """``"1e-4:50,100;1e-3/32:25;1e-3~cosine:50,100"`` -> ``[(1e-4, 128, "constant", [50, 100]),
    (1e-3, 32, "constant", [25]), (1e-3, 128, "cosine", [50]), (1e-3, 128, "cosine", [100])]``
    (rate[/batch][~decay]:epochs). A decaying rate depends on the run's length: one run per epoch count."""
    runs = []
    for part in text.split(";"):
        head, epochs = part.split(":")
        head, _, decay = head.partition("~")
        rate, _, batch = head.partition("/")
        epochs, decay = sorted(int(e) for e in epochs.split(",")), decay or "constant"
        groups = [epochs] if decay == "constant" else [[e] for e in epochs]
        runs += [(float(rate), int(batch or YI_MAK_BATCH), decay, group) for group in groups]
    return runs


def cell_key(cell: dict) -> tuple:
    return (
        cell["scheme"],
        float(cell["lr"]),
        int(cell.get("batch", YI_MAK_BATCH)),
        cell.get("decay", "constant"),
        int(cell["epochs"]),
        int(cell["seed"]),
    )


def read_cells(path: pathlib.Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def checkpoint_callback(epochs, start: float, measure):
    """A Keras callback calling ``measure(epochs_done, model, fit_seconds, logs)`` after each epoch in ``epochs``;
    ``fit_seconds`` counts from ``start`` and leaves out the time spent in ``measure``."""
    import keras

    class Checkpoints(keras.callbacks.Callback):
        paused = 0.0

        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 in epochs:
                now = time.perf_counter()
                measure(epoch + 1, self.model, now - start - self.paused, logs or {})
                self.paused += time.perf_counter() - now

    return Checkpoints()


def train_and_measure(
    scheme: str,
    rate: float,
    epochs: list[int],
    x,
    y,
    n_classes: int,
    seed: int = 0,
    jit_compile: bool = True,
    batch_size: int = YI_MAK_BATCH,
    decay: str = "constant",
    **options,
) -> list[dict]:
    """One cell per entry of ``epochs`` from a single run of ``max(epochs)`` epochs at Adam ``rate``, ``batch_size``
    and ``decay`` (``options`` go to the scheme's builder)."""
    import numpy as np

    from serzoo.augmenters import make_augmenter

    cells = []

    def measure(done, model, fit_seconds, logs):
        augmenter.models_ = {int(k): model for k in np.unique(y)}  # what fit() sets when training ends
        cells.append(
            {
                "scheme": scheme,
                "lr": rate,
                "batch": batch_size,
                "decay": decay,
                "epochs": done,
                "seed": seed,
                **synthetic_quality(augmenter, x, y, n_classes),
                "fit_seconds": round(fit_seconds, 1),
                "losses": {k: round(float(v), 5) for k, v in logs.items()},
                "load_1min": round(os.getloadavg()[0], 2),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
        )

    training = Training(max(epochs), learning_rate=rate, batch_size=batch_size, decay=decay, source="bench_schedule")
    augmenter = make_augmenter(scheme, seed=seed, training=training, **options)
    if augmenter.spec.per_class:
        raise ValueError(f"{scheme} trains one model per class; checkpoints need one model")
    augmenter.jit_compile = jit_compile
    augmenter.callbacks = (checkpoint_callback(set(epochs), time.perf_counter(), measure),)
    augmenter.fit(x, y, n_classes)
    return cells


def run(args) -> None:
    corpus, fold = training_speakers(args.dataset, args.data_dir, args.manual_dir, args.held_out)
    x, y = fold.x_train, fold.y_train
    print(
        f"{args.dataset}: training speakers of fold {fold.fold.name} ({y.size} utterances; the held-out speaker "
        "is not used)",
        flush=True,
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    for scheme in args.schemes.split(","):
        for rate, batch, decay, epochs in parse_runs(args.runs):
            done = {cell_key(c) for c in read_cells(args.output)}
            missing = [e for e in epochs if (scheme, rate, batch, decay, e, args.seed) not in done]
            if not missing:
                continue
            print(
                f"{scheme} Adam {rate:g} batch {batch} {decay}: training {max(missing)} epochs, measuring at {missing}",
                flush=True,
            )
            for cell in train_and_measure(
                scheme,
                rate,
                [e for e in epochs if e <= max(missing)],
                x,
                y,
                corpus.n_classes,
                args.seed,
                batch_size=batch,
                decay=decay,
            ):
                if cell["epochs"] in missing:
                    cell.update(dataset=args.dataset, fold=fold.fold.name, n_train=int(y.size))
                    with args.output.open("a") as f:
                        f.write(json.dumps(cell) + "\n")
                    print(
                        f"  {cell['epochs']} epochs: TRTS {cell['trts_uar']:.3f} TSTR {cell['tstr_uar']:.3f} "
                        f"MMD {cell['mmd']:.4f} fit {cell['fit_seconds']:.0f} s",
                        flush=True,
                    )


def no_worse(cell: dict, reference: dict) -> bool:
    return (
        cell["trts_uar"] >= reference["trts_uar"]
        and cell["tstr_uar"] >= reference["tstr_uar"]
        and cell["mmd"] <= reference["mmd"]
    )


def run_key(cell: dict) -> tuple:
    """Which training run a cell belongs to: its fold (training speakers) and seed."""
    return cell.get("fold", "?"), int(cell["seed"])


def setting_key(cell: dict) -> tuple:
    return float(cell["lr"]), int(cell.get("batch", YI_MAK_BATCH)), cell.get("decay", "constant"), int(cell["epochs"])


def table(cells: list[dict]) -> str:
    """Markdown: per scheme and setting (rate, batch, epochs), the mean of each measure over the stored runs
    (fold x seed) and in how many runs the setting is no worse than that run's reference on all three."""
    lines = [
        "| scheme | Adam lr | batch | decay | epochs | runs | TRTS UAR % | TSTR UAR % | MMD | fit s "
        "| no worse than ref |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    reference = (REFERENCE[0], YI_MAK_BATCH, "constant", REFERENCE[1])
    for scheme in dict.fromkeys(c["scheme"] for c in cells):
        mine = [c for c in cells if c["scheme"] == scheme]
        refs = {run_key(c): c for c in mine if setting_key(c) == reference}
        for setting in sorted({setting_key(c) for c in mine}):
            rows = [c for c in mine if setting_key(c) == setting]
            judged = [c for c in rows if run_key(c) in refs]
            better = sum(no_worse(c, refs[run_key(c)]) for c in judged)
            is_ref = setting == reference
            verdict = "reference" if is_ref else (f"{better} of {len(judged)}" if judged else "–")
            measures = ("trts_uar", "tstr_uar", "mmd", "fit_seconds")
            mean = {key: sum(c[key] for c in rows) / len(rows) for key in measures}
            lines.append(
                f"| {scheme} | {setting[0]:g} | {setting[1]} | {setting[2]} | {setting[3]} | {len(rows)} "
                f"| {100 * mean['trts_uar']:.1f} | {100 * mean['tstr_uar']:.1f} | {mean['mmd']:.3f} "
                f"| {mean['fit_seconds']:.0f} | {verdict} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--schemes", default=",".join(SCHEMES))
    parser.add_argument(
        "--runs",
        default=RUNS,
        help="rate[/batch][~cosine]:epochs,epochs;rate:... (one training run per rate and batch, "
        "default batch 128; a cosine-decayed rate: one run per epoch count)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--held-out", default=None, help="the fold's held-out speaker (default: the first fold's)")
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    parser.add_argument(
        "--table",
        type=pathlib.Path,
        nargs="*",
        default=None,
        help="print the cells stored in these files (default --output) as Markdown, train nothing",
    )
    args = parser.parse_args()
    if args.table is None:
        run(args)
    print(table([cell for path in (args.table or [args.output]) for cell in read_cells(path)]))


if __name__ == "__main__":
    main()
