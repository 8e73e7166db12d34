"""Benchmark: generator quality on training speakers against epochs and Adam learning rate (issue 13).

For each scheme, one training run per Adam rate on the training speakers of fold 1 (the held-out speaker is
never used), measured at several epoch counts of that run with
:func:`bench_generator_quality.synthetic_quality` (TRTS, TSTR, MMD of one synthetic set of the training set's
size). With a constant rate, the first ``e`` epochs of a longer run are an ``e``-epoch run: same batches, same
noise (the measurement samples with explicit seeds, which do not advance the training's generators; the test
``tests/test_schedule_bench.py`` checks it). Fit seconds at a checkpoint = training time up to it (model
build and XLA compilation included, measurements excluded), measured on a shared machine.

Resumable: each finished cell (scheme, rate, epochs, seed) is appended to ``--output`` (JSONL) and skipped by
a rerun; a run whose cells are all stored is not trained, an interrupted one is trained again from the start
and writes only its missing cells.

Run (EmoDB IS11, a few hours on 2 cores):
    nice -n 19 python benchmarks/bench_schedule.py --manual-dir ../shared/corpora/emodb
    python benchmarks/bench_schedule.py --table        # Markdown from the stored cells only
"""

import argparse
import json
import os
import pathlib
import time

from bench_generator_quality import synthetic_quality, training_speakers

SCHEMES = ("adan", "wadan", "aae", "cgan", "gan")
#: Adam rate and the epochs measured in its run; the first run's last point is the quality reference.
RUNS = "1e-4:50,100,200,400;1e-3:25,50,100,200;3e-4:25,50,100,200"
REFERENCE = (1e-4, 400)
OUTPUT = pathlib.Path(__file__).parent / "results" / "schedule" / "emodb_is11_fold1.jsonl"


def parse_runs(text: str) -> list[tuple[float, list[int]]]:
    """``"1e-4:50,100;1e-3:25"`` -> ``[(1e-4, [50, 100]), (1e-3, [25])]``."""
    runs = []
    for part in text.split(";"):
        rate, epochs = part.split(":")
        runs.append((float(rate), sorted(int(e) for e in epochs.split(","))))
    return runs


def cell_key(cell: dict) -> tuple:
    return cell["scheme"], float(cell["lr"]), int(cell["epochs"]), int(cell["seed"])


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


def train_and_measure(scheme: str, rate: float, epochs: list[int], x, y, n_classes: int, seed: int = 0,
                      jit_compile: bool = True, **options) -> list[dict]:
    """One cell per entry of ``epochs`` from a single run of ``max(epochs)`` epochs at Adam ``rate``
    (``options`` go to the scheme's builder)."""
    import numpy as np

    from serzoo.augmenters import make_augmenter

    cells = []

    def measure(done, model, fit_seconds, logs):
        augmenter.models_ = {int(k): model for k in np.unique(y)}  # what fit() sets when training ends
        cells.append({"scheme": scheme, "lr": rate, "epochs": done, "seed": seed,
                      **synthetic_quality(augmenter, x, y, n_classes), "fit_seconds": round(fit_seconds, 1),
                      "losses": {k: round(float(v), 5) for k, v in logs.items()},
                      "load_1min": round(os.getloadavg()[0], 2), "finished": time.strftime("%Y-%m-%dT%H:%M:%S")})

    augmenter = make_augmenter(scheme, seed=seed, epochs=max(epochs), learning_rate=rate, **options)
    if augmenter.spec.per_class:
        raise ValueError(f"{scheme} trains one model per class; checkpoints need one model")
    augmenter.jit_compile = jit_compile
    augmenter.callbacks = (checkpoint_callback(set(epochs), time.perf_counter(), measure),)
    augmenter.fit(x, y, n_classes)
    return cells


def run(args) -> None:
    corpus, fold = training_speakers(args.dataset, args.data_dir, args.manual_dir)
    x, y = fold.x_train, fold.y_train
    print(f"{args.dataset}: training speakers of fold {fold.fold.name} ({y.size} utterances; the held-out speaker "
          "is not used)", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    for scheme in args.schemes.split(","):
        for rate, epochs in parse_runs(args.runs):
            done = {cell_key(c) for c in read_cells(args.output)}
            missing = [e for e in epochs if (scheme, rate, e, args.seed) not in done]
            if not missing:
                continue
            print(f"{scheme} Adam {rate:g}: training {max(missing)} epochs, measuring at {missing}", flush=True)
            for cell in train_and_measure(scheme, rate, [e for e in epochs if e <= max(missing)], x, y,
                                          corpus.n_classes, args.seed):
                if cell["epochs"] in missing:
                    cell.update(dataset=args.dataset, fold=fold.fold.name, n_train=int(y.size))
                    with args.output.open("a") as f:
                        f.write(json.dumps(cell) + "\n")
                    print(f"  {cell['epochs']} epochs: TRTS {cell['trts_uar']:.3f} TSTR {cell['tstr_uar']:.3f} "
                          f"MMD {cell['mmd']:.4f} fit {cell['fit_seconds']:.0f} s", flush=True)


def no_worse(cell: dict, reference: dict) -> bool:
    return (cell["trts_uar"] >= reference["trts_uar"] and cell["tstr_uar"] >= reference["tstr_uar"]
            and cell["mmd"] <= reference["mmd"])


def table(cells: list[dict]) -> str:
    """Markdown: every cell per scheme, the reference marked, and whether each cell is no worse than it."""
    lines = ["| scheme | Adam lr | epochs | TRTS UAR % | TSTR UAR % | MMD | fit s | load | no worse than ref |",
             "|---|---|---|---|---|---|---|---|---|"]
    for scheme in dict.fromkeys(c["scheme"] for c in cells):
        rows = sorted((c for c in cells if c["scheme"] == scheme), key=lambda c: (c["lr"], c["epochs"]))
        ref = next((c for c in rows if (c["lr"], c["epochs"]) == REFERENCE), None)
        for c in rows:
            verdict = "reference" if c is ref else ("–" if ref is None else ("yes" if no_worse(c, ref) else "no"))
            lines.append(f"| {scheme} | {c['lr']:g} | {c['epochs']} | {100 * c['trts_uar']:.1f} "
                         f"| {100 * c['tstr_uar']:.1f} | {c['mmd']:.4f} | {c['fit_seconds']:.0f} "
                         f"| {c['load_1min']:.1f} | {verdict} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="emodb/is11")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--manual-dir", default=None)
    parser.add_argument("--schemes", default=",".join(SCHEMES))
    parser.add_argument("--runs", default=RUNS, help="rate:epochs,epochs;rate:... (one training run per rate)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    parser.add_argument("--table", action="store_true", help="print the stored cells as Markdown, train nothing")
    args = parser.parse_args()
    if not args.table:
        run(args)
    print(table(read_cells(args.output)))


if __name__ == "__main__":
    main()
