"""Several steps ahead (#19): exact paths, MSNBC and BMS, and fields that matter.

Run:  .venv/bin/python benchmarks/multistep.py [--quick] [--parts paths,real,fields]
      [--datasets MSNBC,BMS] [--models markov,ppm,cpt+,gru] [--folds 2]

1. **Exact paths.** Markov sources of order 1, 2 and 3 with known transition
   tables (:class:`~seqpred.data.synthetic.MarkovSource`, 8 symbols,
   concentration 0.5). A model
   that answers with the true table is continued ``N = 1..4`` steps by the
   default beam (``predict_next``, width 20); its top continuation is
   compared with the exact most probable one, found by dynamic programming
   over the source's contexts (Viterbi). A query counts as recovered when
   the paths are equal and the probabilities agree within 1e-9. Greedy
   decoding's recovery is shown beside it.
2. **MSNBC and BMS.** The CPT+ protocol's sequences (``_ipredict`` profiles),
   cut into 14 folds as that protocol does; the first ``--folds`` folds are
   each the test set once, the model fitted on the others. The last 3 items
   of every test sequence are held out and predicted from the items before
   them (``--window`` keeps only the last few): exact 3-step match of the
   top continuation (beam and greedy), per-position accuracy and
   HR@10 of the items ranked within the next 3 steps, beside the baseline
   that repeats the one-step prediction (``evaluate_multistep(...,
   method="repeat")``). The within-3 rankings enumerate paths (a beam of
   ``--within-width`` paths per query), for the GRU too.
3. **Fields.** :class:`~seqpred.data.synthetic.FieldMarkovSource`: the next
   item depends on a per-step category and a static segment. A GRU with
   the fields and the same GRU without them, scored on every prefix of 300
   test sessions by their *expected* accuracy under the true law (the mean
   probability of the predicted item), beside the Bayes-optimal accuracy on
   the same prefixes (the mean of the largest probability).

One torch thread; the last line is ``RESULTS {"exact_path_recovery": r,
"msnbc": {MODEL: {"exact3": a, "hr10_within3": h, ...}}, "bms": {...},
"features": {"bayes": b, "with": a1, "without": a0}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, ClassVar

import numpy as np
from _ipredict import PROFILES, load

import seqpred
from seqpred.data import SequenceSet
from seqpred.data.synthetic import FieldMarkovSource, MarkovSource
from seqpred.evaluate import evaluate_multistep
from seqpred.evaluate.next_item import _fold_bounds, _shuffled_order, _training_set
from seqpred.models.next_item.base import NextItemMixin

# -- 1. exact paths -----------------------------------------------------------------


class SourceModel(NextItemMixin):
    """A next-item model that answers with a MarkovSource's true law (benchmark only).

    Parameters
    ----------
    source : MarkovSource
        The source; symbols are its ints.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {"source": [object]}

    def __init__(self, source: Any = None) -> None:
        self.source = source

    def _fit(self, ss: SequenceSet) -> None:
        symbols = self.vocabulary_.decode(np.arange(3, self.vocabulary_.size))
        self.columns_ = np.array(symbols, dtype=np.int64)  # id - 3 -> symbol

    def _proba(self, queries: SequenceSet) -> np.ndarray:
        symbols = [self.vocabulary_.decode(q) for q in queries]
        law = self.source.next_proba(symbols)  # (N, n_symbols)
        out = np.zeros((len(queries), self.vocabulary_.size))
        out[:, 3:] = law[:, self.columns_]
        return out

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[np.ndarray, np.ndarray]:
        proba = self._proba(queries)
        ids = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        return ids, np.take_along_axis(proba, ids, axis=1)


def exact_best_path(source: MarkovSource, query: list[int], steps: int):
    """Return the most probable continuation and its probability (Viterbi)."""
    n, order = source.n_symbols, source.order
    table = source.transition_matrix  # (C, n)
    n_contexts = table.shape[0]
    start = 0
    for x in query[len(query) - order :]:
        start = (start * n + x) % n_contexts
    # best[c]: the largest probability of a path so far ending in context c
    best = np.full(n_contexts, -np.inf)
    best[start] = 0.0
    back = []
    log_table = np.log(table)
    nxt = (np.arange(n_contexts)[:, None] * n + np.arange(n)) % n_contexts  # (C, n)
    for _ in range(steps):
        scores = best[:, None] + log_table  # (C, n)
        flat, targets = scores.ravel(), nxt.ravel()
        # per reached context, the best (context, symbol) leading to it
        order_ = np.lexsort((np.arange(len(flat)), -flat, targets))
        first = np.ones(len(order_), dtype=bool)
        first[1:] = targets[order_][1:] != targets[order_][:-1]
        chosen = order_[first]
        new = np.full(n_contexts, -np.inf)
        arg = np.full(n_contexts, -1)
        new[targets[chosen]] = flat[chosen]
        arg[targets[chosen]] = chosen
        back.append(arg)
        best = new
    end = int(np.argmax(best))
    path = []
    for arg in reversed(back):
        i = int(arg[end])
        context, symbol = divmod(i, n)
        path.append(symbol)
        end = context
    path.reverse()
    probability = 1.0
    context = start
    for x in path:  # the probability as a product, as the model computes it
        probability *= table[context, x]
        context = (context * n + x) % n_contexts
    return path, probability


def exact_paths(n_queries: int) -> dict[str, Any]:
    recovered = total = greedy_hits = 0
    worst = 0.0
    by_case = {}
    for order in (1, 2, 3):
        source = MarkovSource(
            n_symbols=8, order=order, concentration=0.5, random_state=order
        )
        queries = source.sample(n_queries, (order, order + 6), random_state=10 + order)
        model = SourceModel(source).fit([list(range(8))])
        for steps in (1, 2, 3, 4):
            paths, probs = model.predict_next_ids(queries, steps=steps, k=1)
            greedy, _ = model.predict_next_ids(queries, steps, 1, method="greedy")
            decoded = [model.vocabulary_.decode(p) for p in paths[:, 0]]
            hits = 0
            for i, (q, got, p) in enumerate(zip(queries, decoded, probs[:, 0])):
                path, exact = exact_best_path(source, q, steps)
                error = abs(p - exact)
                worst = max(worst, error if got == path else 0.0)
                hits += got == path and error <= 1e-9
                greedy_hits += model.vocabulary_.decode(greedy[i, 0]) == path
            by_case[f"order{order}_steps{steps}"] = hits / len(queries)
            recovered += hits
            total += len(queries)
    return {
        "recovery": recovered / total,
        "greedy_recovery": greedy_hits / total,
        "by_case": by_case,
        "max_error": worst,
    }


# -- 2. MSNBC and BMS ----------------------------------------------------------------


def make_model(name: str, quick: bool) -> Any:
    if name == "gru":
        return seqpred.create(
            "gru", hidden_size=64, embedding_dim=32, max_epochs=4 if quick else 8,
            max_time=60 if quick else 240, random_state=0, device="cpu",
        )  # fmt: skip
    return seqpred.create(name)


def real_data(dataset: str, models: list[str], args: argparse.Namespace) -> dict:
    profile = PROFILES[dataset]
    ss = SequenceSet.from_lists(load(profile))
    ss = ss.take(_shuffled_order(len(ss), 42, "multistep"))
    bounds = _fold_bounds(len(ss), 14, "multistep")[: args.folds]
    out: dict[str, Any] = {}
    for name in models:
        scores: dict[str, list[float]] = {}
        tic = time.perf_counter()
        for lo, hi in bounds:
            model = make_model(name, args.quick).fit(_training_set(ss, lo, hi))
            test = ss.take(np.arange(lo, hi))
            common = {"steps": 3, "k": 10, "window": args.window or None}
            within = {"within_method": "enumerate", "beam_width": args.within_width}
            for method in ("beam", "greedy", "repeat"):
                report = evaluate_multistep(
                    model, test, method=method, **common,
                    **(within if method != "repeat" else {}),
                )  # fmt: skip
                prefix = "" if method == "beam" else f"{method}_"
                scores.setdefault(f"{prefix}exact3", []).append(report.exact_match)
                scores.setdefault(f"{prefix}hr10_within3", []).append(report.hit_rate)
                for j, acc in enumerate(report.position_accuracy, 1):
                    scores.setdefault(f"{prefix}acc@{j}", []).append(acc)
        row = {key: round(float(np.mean(v)), 4) for key, v in scores.items()}
        row["seconds"] = round(time.perf_counter() - tic, 1)
        out[name] = row
        print(f"{dataset:6s} {name:7s} {row}", file=sys.stderr, flush=True)
    return out


# -- 3. fields -------------------------------------------------------------------------


def features(quick: bool) -> dict[str, float]:
    source = FieldMarkovSource(
        n_items=8, n_categories=4, n_segments=2, concentration=0.05, random_state=0
    )
    train = source.sample(800 if quick else 1500, 20, random_state=1)
    test = source.sample(300, 20, random_state=2)
    lengths = np.arange(1, 20)
    queries = test.take(np.repeat(np.arange(len(test)), len(lengths))).slice_steps(
        0, np.tile(lengths, len(test))
    )
    truth = source.next_proba(queries)
    out = {"bayes": float(truth.max(axis=1).mean())}
    for key, use in (("with", True), ("without", False)):
        model = seqpred.create(
            "gru", hidden_size=48, embedding_dim=24, max_epochs=20, dropout=0.1,
            learning_rate=0.01, use_fields=use, random_state=0, device="cpu",
        ).fit(train)  # fmt: skip
        index = [int(str(p)[1:]) for p in model.predict(queries)]
        out[key] = float(truth[np.arange(len(queries)), index].mean())
    out["bayes_stationary"] = source.bayes_accuracy()
    out["bayes_without_fields"] = source.bayes_accuracy(fields=False)
    return {k: round(v, 4) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", default="paths,real,fields")
    parser.add_argument("--datasets", default="MSNBC,BMS")
    parser.add_argument("--models", default="markov,ppm,cpt+,gru")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--within-width", type=int, default=64)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--window", type=int, default=0, help="0: whole prefix")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    parts = args.parts.split(",")
    results: dict[str, Any] = {}
    if "paths" in parts:
        tic = time.perf_counter()
        paths = exact_paths(args.queries)
        print(
            f"exact paths {paths} ({time.perf_counter() - tic:.1f} s)", file=sys.stderr
        )
        results["exact_path_recovery"] = round(paths["recovery"], 4)
        results["exact_path_max_error"] = paths["max_error"]
        results["greedy_path_recovery"] = round(paths["greedy_recovery"], 4)
    if "real" in parts:
        for dataset in args.datasets.split(","):
            results[dataset.lower()] = real_data(dataset, args.models.split(","), args)
    if "fields" in parts:
        tic = time.perf_counter()
        results["features"] = features(args.quick)
        print(f"fields {results['features']} ({time.perf_counter() - tic:.1f} s)",
              file=sys.stderr)  # fmt: skip
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
