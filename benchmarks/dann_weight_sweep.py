"""The DANN's objective and adversarial weight chosen leave-one-target-out on the three corpora (issue 31).

For each setting (objective ``reversal``, Ganin et al., or ``confusion``, Tzeng et al.; adversarial weight), the
unseen-corpus regime on the six ordered corpus pairs (``serzoo regimes unseen-corpus --methods dann``: the DANN
and its twin, the same network at adversarial weight 0 with the same updates), each setting in a unit store of its
own (the options are part of the store's settings). The setting reported for a target corpus T is the one with
the best mean gain over its twin on the pair of the two OTHER corpora (both directions): neither T's labels nor
T's speech choose it. Run:

    SERZOO_EMODB_DIR=... SERZOO_RAVDESS_DIR=... SERZOO_EMOVO_DIR=... python benchmarks/dann_weight_sweep.py \
        --weights 0.1,0.3 --objectives reversal,confusion \
        --default-run benchmarks/results/regimes/unseen_corpus_is11 --jobs 2

``--default-run``: a finished ``serzoo regimes unseen-corpus --methods dann`` run with the defaults (reversal,
weight 1.0), reused instead of computed again.
"""

import argparse
import json
import pathlib

import numpy as np

from serzoo.experiments.regimes import run_regime
from serzoo.experiments.resume import UnitStore

DEFAULT_WEIGHT = 1.0
DEFAULT_OBJECTIVE = "reversal"
SETTINGS = {"experiment": "regimes"}


def _options(objective: str, weight: float) -> dict:
    """The DANN's options of a setting ({} for the defaults)."""
    options = {} if weight == DEFAULT_WEIGHT else {"adversarial_weight": weight}
    if objective != DEFAULT_OBJECTIVE:
        options["domain_objective"] = objective
    return {"dann": options} if options else {}


def _run(spec, options, store_dir, seeds, jobs):
    corpora = spec.split("/")[0].split("+")
    pairs = [f"{a}->{b}" for a in corpora for b in corpora if a != b]
    store = UnitStore(store_dir, {**SETTINGS, "dataset": spec})
    return run_regime(
        "unseen-corpus",
        spec,
        methods=["dann"],
        seeds=seeds,
        normalisation="corpus",
        store=store,
        jobs=jobs,
        held_out=pairs,
        method_options=options or None,
    )


def _gains(result) -> dict[tuple[str, str], list[float]]:
    """(source, target) -> the DANN's UAR gains over its twin, one per seed."""
    rows = [r for r in result["rows"] if r["method"] == "dann" and r["train"] != "others"]
    return {(r["train"], r["test"]): r["gain"]["values"] for r in rows}


def select(gains_by_weight: dict[str, dict], corpora: list[str]) -> list[dict]:
    """Per target: the setting with the best mean gain on the two pairs between the other corpora, and its
    gains (``gains_by_weight``: setting name -> :func:`_gains`; ties go to the first setting)."""
    rows = []
    for target in corpora:
        others = [c for c in corpora if c != target]
        dev_pairs = [(a, b) for a in others for b in others if a != b]
        dev = {w: float(np.mean([np.mean(g[p]) for p in dev_pairs])) for w, g in gains_by_weight.items()}
        chosen = max(dev, key=dev.get)
        for source in others:
            values = gains_by_weight[chosen][(source, target)]
            rows.append(
                {
                    "target": target,
                    "source": source,
                    "chosen": chosen,
                    "selection_gain": dev[chosen],
                    "gain_mean": float(np.mean(values)),
                    "gain_std": float(np.std(values)),
                    "seeds": len(values),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="emodb+ravdess+emovo/is11+shared6")
    parser.add_argument("--weights", default="0.1,0.3", help="adversarial weights besides the default 1.0")
    parser.add_argument("--objectives", default="reversal", help="reversal and/or confusion")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--default-run", default=None, help="a finished default-weight run's output folder")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--output-dir", default="benchmarks/results/regimes/dann_weight_sweep_is11")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    out = pathlib.Path(args.output_dir)
    weights = [float(w) for w in args.weights.split(",")]
    runs = {}
    for objective in args.objectives.split(","):
        for weight in [*weights, DEFAULT_WEIGHT]:
            options = _options(objective, weight)
            prefix = "" if objective == DEFAULT_OBJECTIVE else f"{objective}_"
            store_dir = args.default_run if not options and args.default_run else out / f"{prefix}weight_{weight:g}"
            runs[f"{objective} {weight:g}"] = _run(args.dataset, options, store_dir, seeds, args.jobs)
    gains = {w: _gains(r) for w, r in runs.items()}
    corpora = args.dataset.split("/")[0].split("+")
    rows = select(gains, corpora)
    lines = [
        f"# DANN objective and weight, chosen leave-one-target-out ({args.dataset}, corpus normalisation, "
        f"seeds {seeds})",
        "",
        "Gain: the DANN's UAR minus its twin's (adversarial weight 0, same updates), points, mean ± std over seeds.",
        "",
        "| source → target | " + " | ".join(gains) + " |",
        "|---|" + "---|" * len(gains),
    ]
    for pair in sorted(next(iter(gains.values()))):
        cells = [f"{100 * np.mean(g[pair]):+.2f} ± {100 * np.std(g[pair]):.2f}" for g in gains.values()]
        lines.append(f"| {pair[0]} → {pair[1]} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Chosen per target on the two pairs between the other corpora (the target's data never used):",
        "",
        "| source → target | chosen (objective, weight) | its gain on the other pairs | gain on this pair |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['source']} → {r['target']} | {r['chosen']} | {100 * r['selection_gain']:+.2f} "
            f"| {100 * r['gain_mean']:+.2f} ± {100 * r['gain_std']:.2f} |"
        )
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text("\n".join(lines) + "\n")
    serialisable = {name: {f"{a}->{b}": v for (a, b), v in g.items()} for name, g in gains.items()}
    (out / "results.json").write_text(json.dumps({"gains": serialisable, "selection": rows}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
