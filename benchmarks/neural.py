"""Neural benchmark: 3-digit addition, a char LM on tiny-shakespeare, RNNNextItem
under the CPT+ protocol, and training throughput per encoder.

Run:  .venv/bin/python benchmarks/neural.py [--quick]
      [--parts addition,lm,next_item,speed]
      [--lm-seconds 600] [--device auto] [--datasets SIGN,MSNBC]

* **addition**: ``Seq2SeqNetwork`` for 270 s (see ``seq2seq_addition.py``), exact
  match on the 5,000 validation pairs.
* **lm**: ``NeuralLanguageModel`` trained for ``--lm-seconds`` (default 600,
  i.e. 10 minutes) on the first 90 % of ../shared/data/text/tinyshakespeare.txt
  (its own early-stopping slice is the last 2 % of that); held-out bits per
  character on the last 10 %, with frozen weights. PPM-C order 5 (frozen) on
  the same split is printed beside it.
* **next_item**: ``RNNNextItem`` (registry name ``gru``) under the CPT+
  ("IPredict") protocol, 14 folds, accuracy@1, next to seqpred's CPT+ when
  it is registered and to the SPMF CPT+ anchors (SIGN 0.536, MSNBC 0.593).
* **speed**: training tokens per second of each encoder at a stated size
  (vocabulary 65, batch 32 × 128 steps), with 1 and with 2 CPU threads.

The last line is ``RESULTS {json}``. Timings depend on the machine's load:
record the load average printed in the header (a shared machine makes 2
threads much slower than 1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from _ipredict import PROFILES, load

import seqpred
from seqpred.evaluate import cross_validate_next_item

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SPMF_CPT_PLUS = {"SIGN": 0.536, "MSNBC": 0.593, "BMS": 0.374, "FIFA": 0.363}

# The char LM on the CPU: one LSTM layer of 256 units reads 128-step windows
# with light dropout. Chosen by training candidates for the number of tokens one
# CPU thread processes in 10 minutes (9-24M for this one; measured on a GPU at
# those token counts): 2.24-2.25 bits/char from 15M to 24M tokens (dropout 0:
# 2.30-2.32, overfitting); wider LSTMs and small Transformers see too few tokens.
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
# On a GPU: the nanoGPT "baby GPT" shape (6 layers, 384 wide, 256 steps).
LM_GPU: dict[str, Any] = {
    "encoder": "transformer",
    "hidden_size": 384,
    "n_layers": 6,
    "n_heads": 6,
    "positions": "rotary",
    "dropout": 0.2,
    "max_length": 256,
    "batch_size": 64,
    "learning_rate": 0.001,
    "max_epochs": 1000,
    "validation_fraction": 0.02,
    "patience": None,
}
NEXT_ITEM_CONFIG: dict[str, Any] = {}
SPEED_SIZES = {
    "gru": {"hidden_size": 256, "embedding_dim": 64, "n_layers": 1},
    "lstm": {"hidden_size": 256, "embedding_dim": 64, "n_layers": 1},
    "tcn": {"hidden_size": 256, "embedding_dim": 64, "n_layers": 6},
    "transformer": {"hidden_size": 128, "embedding_dim": 128, "n_layers": 4},
}


def log(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)


# -- tiny-shakespeare ------------------------------------------------------------------


def run_lm(
    seconds: float, device: str, quick: bool, n_threads: int | None
) -> dict[str, Any]:
    text = (SHARED / "text" / "tinyshakespeare.txt").read_text(encoding="utf-8")
    cut = int(0.9 * len(text))
    train, valid = text[:cut], text[cut:]
    from seqpred.nn.runtime import resolve_device

    gpu = resolve_device(device, "benchmark").type == "cuda"
    config = dict(LM_GPU if gpu else LM_CPU)
    if quick:
        train, valid = train[:100_000], valid[:10_000]
        config.update(hidden_size=64, n_layers=1, max_length=64)
    model = seqpred.create(
        "neural-lm",
        **config,
        max_time=seconds,
        device=device,
        n_threads=n_threads,
        random_state=0,
    )
    log(f"lm: training {model!r} for {seconds:.0f} s on {len(train):,} chars")
    tic = time.perf_counter()
    model.fit([train])
    fit_seconds = time.perf_counter() - tic
    tic = time.perf_counter()
    bpc = model.bits_per_symbol([valid])
    eval_seconds = time.perf_counter() - tic
    log(
        f"lm: {model.n_epochs_} epochs ({model.stop_reason_}), best "
        f"{model.best_epoch_}; valid {bpc:.4f} bits/char ({eval_seconds:.1f} s)"
    )
    tic = time.perf_counter()
    ppm = seqpred.create("ppm", max_order=5, escape="C", exclusion=True).fit([train])
    ppm_bpc = float(-np.concatenate(ppm.log_proba([valid])).mean() / np.log(2))
    log(f"lm: PPM-C order 5, frozen: {ppm_bpc:.4f} bits/char")
    return {
        "bpc": round(bpc, 4),
        "seconds": round(fit_seconds, 1),
        "epochs": model.n_epochs_,
        "eval_seconds": round(eval_seconds, 1),
        "ppm5_bpc": round(ppm_bpc, 4),
        "ppm5_seconds": round(time.perf_counter() - tic, 1),
        "config": config,
        "device": "cuda" if gpu else "cpu",
        "threads": None if gpu else (n_threads or 1),
    }


# -- next item under the CPT+ protocol -------------------------------------------------


class RefitCache:
    """Fit once per training fold; evaluate the same network at several horizons.

    ``horizon`` only changes how predictions are ranked, so the variants of a
    model share one fit per fold (keyed by the training data).
    """

    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.name, self.params, self.fitted = name, params, {}

    def factory(self, horizon: int) -> Any:
        cache = self

        class Model:
            def fit(self, X: Any) -> Any:
                key = (X.values.tobytes(), X.offsets.tobytes())
                if key not in cache.fitted:
                    model = seqpred.create(cache.name, **cache.params)
                    cache.fitted[key] = model.fit(X)
                self.model = cache.fitted[key].set_params(horizon=horizon)
                self.vocabulary_ = self.model.vocabulary_
                return self

            def predict_top_k_ids(self, X: Any, k: int = 1) -> Any:
                return self.model.predict_top_k_ids(X, k)

            def memory_bytes(self) -> int:
                return 0

        return Model


def cross_validate(factory: Any, sequences: Any, profile: Any) -> tuple[Any, float]:
    tic = time.perf_counter()
    total, _ = cross_validate_next_item(
        factory,
        sequences,
        n_folds=14,
        window=profile.window,
        consequent=profile.consequent,
        k=10,
        shuffle_seed=42,
    )
    return total, time.perf_counter() - tic


def run_next_item(
    datasets: list[str], models: list[str], device: str, quick: bool
) -> dict[str, Any]:
    """Each model twice: ranking the next item, and items within the consequent."""
    results: dict[str, Any] = {}
    params = {**NEXT_ITEM_CONFIG, "device": device, "random_state": 0}
    if quick:
        params.update(max_epochs=2, hidden_size=32)
    for dataset in datasets:
        profile = PROFILES[dataset]
        sequences = load(profile)[: 280 if quick else None]
        results[dataset] = {}
        for name in models:
            cache = RefitCache(name, params)
            for horizon in sorted({1, profile.consequent}):
                label = name if horizon == 1 else f"{name} (horizon={horizon})"
                total, seconds = cross_validate(
                    cache.factory(horizon), sequences, profile
                )
                results[dataset][label] = round(total.accuracy, 4)
                log(
                    f"next_item: {dataset} {label}: accuracy {total.accuracy:.4f}, "
                    f"HR@10 {total.hit_rate:.4f}, {seconds:.1f} s (14 folds)"
                )
        if "cpt+" in seqpred.available():
            total, seconds = cross_validate(
                lambda: seqpred.create("cpt+"), sequences, profile
            )
            results[dataset]["cpt+"] = round(total.accuracy, 4)
            log(f"next_item: {dataset} cpt+: {total.accuracy:.4f}, {seconds:.1f} s")
        results[dataset]["spmf-cpt+ (anchor)"] = SPMF_CPT_PLUS.get(dataset)
    return results


# -- throughput ------------------------------------------------------------------------


def tokens_per_second(
    encoder: str, n_threads: int, device: str, steps: int, seconds: float
) -> float:
    import torch

    from seqpred.nn.heads import CausalSequenceModel
    from seqpred.nn.runtime import resolve_device, threads

    target = resolve_device(device, "benchmark")
    size = SPEED_SIZES[encoder]
    with threads(n_threads, target):
        torch.manual_seed(0)
        network = CausalSequenceModel(
            68, encoder, size["embedding_dim"], size["hidden_size"],
            n_layers=size["n_layers"], max_length=128,
        ).to(target)  # fmt: skip
        optimizer = torch.optim.AdamW(network.parameters(), lr=1e-3)
        ids = torch.randint(3, 68, (32, 129), device=target)
        done, tic = 0, 0.0
        for step in range(steps + 2):
            if step == 2:  # two warm-up steps
                if target.type == "cuda":
                    torch.cuda.synchronize()
                tic = time.perf_counter()
            logits = network(ids[:, :-1])
            loss = torch.nn.functional.cross_entropy(
                logits.flatten(0, 1), ids[:, 1:].flatten()
            )
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if step >= 2:
                done += ids[:, 1:].numel()
                if time.perf_counter() - tic > seconds:
                    break
        if target.type == "cuda":
            torch.cuda.synchronize()
        return done / (time.perf_counter() - tic)


def run_speed(device: str, quick: bool) -> dict[str, Any]:
    steps, seconds = (3, 2.0) if quick else (30, 15.0)
    by_threads: dict[str, dict[str, float]] = {}
    for encoder in SPEED_SIZES:
        by_threads[encoder] = {}
        for n_threads in (1, 2):
            rate = tokens_per_second(encoder, n_threads, device, steps, seconds)
            by_threads[encoder][str(n_threads)] = round(rate)
            log(f"speed: {encoder} {SPEED_SIZES[encoder]}, {n_threads} thread(s): "
                f"{rate:,.0f} tokens/s")  # fmt: skip
    return by_threads


# -- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (~1 min)")
    parser.add_argument("--parts", default="addition,lm,next_item,speed")
    parser.add_argument("--lm-seconds", type=float, default=600.0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--datasets", default="SIGN,MSNBC")
    parser.add_argument(
        "--next-item-models", default="gru", help="registry names, e.g. gru,transformer"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default 1)"
    )
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    import torch

    header = {
        "torch": torch.__version__,
        "device": args.device,
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    log(f"# {json.dumps(header)}")
    results: dict[str, Any] = {"addition": None, "header": header}
    if "addition" in parts:
        from seq2seq_addition import run_addition

        results["addition"] = run_addition(15.0 if args.quick else 270.0)
    if "lm" in parts:
        seconds = 20.0 if args.quick else args.lm_seconds
        results["tinyshakespeare"] = run_lm(
            seconds, args.device, args.quick, args.threads
        )
    if "next_item" in parts:
        datasets = ["SIGN"] if args.quick else args.datasets.split(",")
        models = args.next_item_models.split(",")
        results["next_item"] = run_next_item(datasets, models, args.device, args.quick)
    if "speed" in parts:
        by_threads = run_speed(args.device, args.quick)
        results["tokens_per_second"] = {e: r["1"] for e, r in by_threads.items()}
        results["tokens_per_second_by_threads"] = by_threads
        results["speed_sizes"] = SPEED_SIZES
    print("RESULTS " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
