"""Generation benchmark: frozen bits per character, JSB Chorales NLL, adaptive coding.

Run:  .venv/bin/python benchmarks/generate.py [--quick] [--lm-seconds 900]
      [--parts ppm,lm,jsb,adaptive] [--device cpu] [--save-scores scores.npz]

* **ppm** -- frozen PPM (registry ``"ppm"``, escapes C and D with exclusion,
  orders 4-6) fitted on the first 90 % of ../shared/data/text/tinyshakespeare.txt,
  bits per character on the last 10 % (each model scores the validation
  text from its own start; nothing is learned while reading it).
* **lm** -- ``NeuralLanguageModel`` (LSTM 1x256, 128-character windows),
  trained for ``--lm-seconds`` (default 900 = 15 minutes) on one CPU thread;
  its early-stopping slice is the last 2 % of the training text. Then frozen
  per-symbol linear mixtures ``sum_i w_i P_i`` of the LM with PPM-C order 5,
  and with PPM-C order 5 and PPM-D order 7, the weights chosen on that same
  2 % slice (scored by PPMs fitted without it), never on the validation text.
* **jsb** -- JSB Chorales (../shared/data/music/JSB_Chorales.mat):
  ``PianoRollModel`` (LSTM, one independent Bernoulli per key and frame),
  trained on the train split with the valid split for early stopping; test
  NLL in nats per frame, each frame predicted from the frames before it, the
  first frame of each piece not scored (Bai et al. 2018). The independent
  per-key baseline is computed in the same run (and on all frames, the
  data README's 11.06).
* **adaptive** -- ``run_adaptive`` from ``benchmarks/_compress_bench.py``
  (arithmetic coding with models that learn as they read, round trip
  checked; references ``ppmd``, ``bz2``, ``lzma``); its dict is merged in.

``--quick`` uses slices (300 kB of training text, 30 kB of validation), a
60-second LM and a short JSB run: a smoke test, figures not comparable.
The last line is ``RESULTS {json}`` with ``bpc_frozen``, ``bpc_adaptive``,
``roundtrip_ok`` and ``jsb_nll``. Timings depend on the machine's load (the
header prints the load average): on a shared machine a 15-minute budget
buys fewer training tokens.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import seqpred

SHARED = Path(
    os.environ.get("SEQPRED_SHARED_DATA")
    or Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
)
DATASET = "tinyshakespeare"
PPM_GRID = [(escape, order) for escape in ("C", "D") for order in (4, 5, 6)]
# The CPU character LM of benchmarks/neural.py (the best of the candidates
# tried there for a 10-minute, one-thread budget), given 15 minutes here.
LM_CPU: dict[str, Any] = {
    "encoder": "lstm",
    "hidden_size": 256,
    "n_layers": 1,
    "embedding_dim": 64,
    "dropout": 0.05,
    "max_length": 128,
    "batch_size": 64,
    "learning_rate": 0.006,
    "max_epochs": 1000,
    "validation_fraction": 0.02,
    "patience": None,
}
# PPMs mixed with the LM: a mid-order one and a long-context one (repeated names
# and phrases), fitted on the training text without the mixture-tuning slice.
MIX_PPMS = {"ppm_c_o5": ("C", 5), "ppm_d_o7": ("D", 7)}
JSB: dict[str, Any] = {
    "encoder": "lstm",
    "hidden_size": 256,
    "embedding_dim": 128,
    "dropout": 0.3,
    "learning_rate": 0.003,
    "batch_size": 8,
    "max_epochs": 60,
    "patience": 8,
}


def _say(text: str) -> None:
    print(text, flush=True)


def _bits(log_p: np.ndarray) -> float:
    return float(-np.mean(log_p) / np.log(2.0))


def _text(quick: bool) -> tuple[str, str]:
    text = (SHARED / "text" / "tinyshakespeare.txt").read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    train, valid = text[:cut], text[cut:]
    if quick:
        train, valid = train[-300_000:], valid[:30_000]
    return train, valid


# -- parts ---------------------------------------------------------------------------


def part_ppm(train: str, valid: str, quick: bool) -> dict[str, float]:
    """Frozen PPM bits per character over the escape x order grid."""
    out: dict[str, float] = {}
    grid = [("C", 5), ("D", 5)] if quick else PPM_GRID
    for escape, order in grid:
        start = time.perf_counter()
        model: Any = seqpred.create(
            "ppm", max_order=order, escape=escape, exclusion=True
        ).fit([train])
        bpc = _bits(model.log_proba([valid])[0])
        name = f"ppm_{escape.lower()}_o{order}"
        out[name] = round(bpc, 4)
        _say(f"  {name}: {bpc:.4f} bits/char ({time.perf_counter() - start:.1f} s)")
    return out


def part_lm(
    train: str, valid: str, seconds: float, device: str, save: str | None
) -> tuple[dict[str, float], dict[str, Any]]:
    """Train the LM for ``seconds``; score it alone and in frozen mixtures with PPM."""
    lm: Any = seqpred.create(
        "neural-lm", **LM_CPU, max_time=seconds, device=device, random_state=0
    )
    start = time.perf_counter()
    lm.fit([train])
    trained = time.perf_counter() - start
    window = LM_CPU["batch_size"] * LM_CPU["max_length"]
    tokens = int(sum(h["steps"] for h in lm.history_) * window)  # an upper bound
    # the LM never trained on its early-stopping slice: tune mixtures there
    tune_cut = len(train) - int(round(len(train) * LM_CPU["validation_fraction"]))
    tune = train[tune_cut:]
    scores = {"neural_lm": (lm.log_proba([tune])[0], lm.log_proba([valid])[0])}
    _say(
        f"  neural_lm: {_bits(scores['neural_lm'][1]):.4f} bits/char after "
        f"{trained:.0f} s of training ({lm.n_epochs_} epochs, ~{tokens / 1e6:.1f} M "
        f"tokens, best epoch {lm.best_epoch_})"
    )
    for name, (escape, order) in MIX_PPMS.items():
        params = {"max_order": order, "escape": escape, "exclusion": True}
        on_tune: Any = seqpred.create("ppm", **params).fit([train[:tune_cut]])
        on_all: Any = seqpred.create("ppm", **params).fit([train])
        scores[name] = (on_tune.log_proba([tune])[0], on_all.log_proba([valid])[0])
    if save:
        np.savez_compressed(
            save, **{f"{k}_{i}": v[i] for k, v in scores.items() for i in (0, 1)}
        )
    out = {"neural_lm": round(_bits(scores["neural_lm"][1]), 4)}
    weights_used = {}
    for members in (("neural_lm", "ppm_c_o5"), ("neural_lm", "ppm_c_o5", "ppm_d_o7")):
        weights = _best_weights([scores[m][0] for m in members])
        bpc = _bits(_mix([scores[m][1] for m in members], weights))
        label = "+".join(members)
        out[label] = round(bpc, 4)
        weights_used[label] = [round(w, 2) for w in weights]
        _say(f"  {label} (weights {weights_used[label]}): {bpc:.4f} bits/char")
    info = {
        "lm_seconds": round(trained, 1),
        "lm_epochs": lm.n_epochs_,
        "lm_tokens": tokens,
        "mixture_weights": weights_used,
        "lm_config": LM_CPU,
    }
    return out, info


def _mix(logs: list[np.ndarray], weights: tuple[float, ...]) -> np.ndarray:
    """``log(sum_i w_i exp(logs_i))`` per symbol: a linear mixture of models."""
    terms = [np.log(max(w, 1e-12)) + log_p for w, log_p in zip(weights, logs)]
    mixed: np.ndarray = np.logaddexp.reduce(np.stack(terms), axis=0)
    return mixed


def _best_weights(logs: list[np.ndarray], step: float = 0.05) -> tuple[float, ...]:
    """Mixture weights (on the simplex, grid ``step``) with the fewest bits."""
    grid = np.arange(step, 1.0, step)
    best: tuple[float, tuple[float, ...]] | None = None
    for rest in itertools.product(grid, repeat=len(logs) - 1):
        first = 1.0 - sum(rest)
        if first < step / 2:
            continue
        weights = (first, *rest)
        bits = _bits(_mix(logs, weights))
        if best is None or bits < best[0]:
            best = (bits, weights)
    assert best is not None
    return tuple(float(w) for w in best[1])


def part_jsb(quick: bool, device: str) -> dict[str, Any]:
    """JSB Chorales: the Bernoulli-output LSTM against the per-key baseline."""
    from seqpred.data.readers import read_piano_rolls
    from seqpred.evaluate.generate import per_key_baseline_nll
    from seqpred.models.generate import PianoRollModel

    rolls = read_piano_rolls(SHARED / "music" / "JSB_Chorales.mat")
    pieces = rolls["train"] + rolls["valid"]  # the valid split comes last
    config = {**JSB, "max_epochs": 5 if quick else JSB["max_epochs"]}
    model = PianoRollModel(
        **config,
        validation_fraction=len(rolls["valid"]) / len(pieces),
        device=device,
        random_state=0,
    )
    start = time.perf_counter()
    model.fit(pieces)
    seconds = time.perf_counter() - start
    out = {
        "nll": round(model.nll_per_frame(rolls["test"]), 4),
        "nll_all_frames": round(
            model.nll_per_frame(rolls["test"], skip_first=False), 4
        ),
        "baseline": round(per_key_baseline_nll(rolls["train"], rolls["test"]), 4),
        "baseline_all_frames": round(
            per_key_baseline_nll(rolls["train"], rolls["test"], skip_first=False), 4
        ),
        "seconds": round(seconds, 1),
        "epochs": model.n_epochs_,
        "best_epoch": model.best_epoch_,
    }
    _say(
        f"  JSB test NLL {out['nll']:.3f} nats/frame (all frames "
        f"{out['nll_all_frames']:.3f}); per-key baseline {out['baseline']:.3f} "
        f"({out['baseline_all_frames']:.3f}); {seconds:.0f} s, "
        f"{model.n_epochs_} epochs"
    )
    return out


def part_adaptive(quick: bool) -> dict[str, Any]:
    """Run the adaptive-coding benchmark of benchmarks/_compress_bench.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from _compress_bench import run_adaptive
    except ImportError as exc:
        _say(
            f"  adaptive part unavailable: benchmarks/_compress_bench.py could not "
            f"be imported ({exc}); run it separately once it exists."
        )
        return {}
    result: dict[str, Any] = run_adaptive(quick)
    for dataset, row in result.get("bpc_adaptive", {}).items():
        shown = ", ".join(f"{m} {b:.3f}" for m, b in row.items())
        _say(f"  {dataset} (adaptive): {shown}")
    return result


# -- report --------------------------------------------------------------------------


def _table(results: dict[str, Any]) -> str:
    rows = []
    for kind in ("bpc_frozen", "bpc_adaptive"):
        for dataset, row in results.get(kind, {}).items():
            for model, bpc in row.items():
                rows.append(f"| {kind} | {dataset} | {model} | {bpc:.4f} |")
    head = "| protocol | dataset | model | bits/char |\n|---|---|---|---|"
    return head + "\n" + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Small smoke run.")
    parser.add_argument("--lm-seconds", type=float, default=900.0)
    parser.add_argument("--parts", default="ppm,lm,jsb,adaptive")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--save-scores", default=None, help="Save per-symbol LM/PPM scores (.npz)."
    )
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    import torch

    torch.set_num_threads(1)
    _say(
        f"seqpred {seqpred.__version__}; load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} CPUs; torch {torch.__version__}; quick={args.quick}"
    )
    train, valid = _text(args.quick)
    frozen: dict[str, float] = {}
    results: dict[str, Any] = {"bpc_frozen": {DATASET: frozen}, "quick": args.quick}
    if "ppm" in parts:
        _say("frozen PPM on tinyshakespeare (90/10):")
        frozen.update(part_ppm(train, valid, args.quick))
    if "lm" in parts:
        seconds = 60.0 if args.quick else args.lm_seconds
        _say(f"neural LM, {seconds:.0f} s of training on {args.device}:")
        scores, info = part_lm(train, valid, seconds, args.device, args.save_scores)
        frozen.update(scores)
        results["lm"] = info
    if "jsb" in parts:
        _say("JSB Chorales:")
        results["jsb"] = part_jsb(args.quick, args.device)
        results["jsb_nll"] = results["jsb"]["nll"]
    if "adaptive" in parts:
        _say("adaptive coding (benchmarks/_compress_bench.py):")
        adaptive = part_adaptive(args.quick)
        for key, value in adaptive.items():
            if key == "bpc_frozen":
                for dataset, row in value.items():
                    results["bpc_frozen"].setdefault(dataset, {}).update(row)
            elif key != "quick":
                results[key] = value
    results.setdefault("bpc_adaptive", {})
    results.setdefault("roundtrip_ok", None)
    results.setdefault("jsb_nll", None)
    _say(_table(results))
    _say("RESULTS " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
