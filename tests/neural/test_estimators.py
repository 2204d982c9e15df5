"""The neural estimators: learning, padding, persistence, seeds, budgets, logs."""

import json
import subprocess
import sys
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import seqpred  # noqa: E402
from seqpred import io  # noqa: E402
from seqpred.exceptions import InvalidParameterError  # noqa: E402
from seqpred.models.next_item import (  # noqa: E402
    NeuralLanguageModel,
    RNNNextItem,
    TransformerNextItem,
)

CYCLE = ["abcdabcdabcd", "abcdab", "cdabcdab", "dabcda"] * 3
TINY = {"max_epochs": 2, "device": "cpu", "random_state": 0}
MODELS = {
    "gru": lambda **kw: RNNNextItem(embedding_dim=8, hidden_size=8, **kw),
    "lstm": lambda **kw: RNNNextItem("lstm", embedding_dim=8, hidden_size=8, **kw),
    "transformer": lambda **kw: TransformerNextItem(8, n_layers=1, **kw),
    "rotary": lambda **kw: TransformerNextItem(8, n_layers=1, positions="rotary", **kw),
    "lm-lstm": lambda **kw: NeuralLanguageModel("lstm", hidden_size=8, **kw),
    "lm-tcn": lambda **kw: NeuralLanguageModel("tcn", hidden_size=8, **kw),
    "lm-transformer": lambda **kw: NeuralLanguageModel(
        "transformer", hidden_size=8, n_heads=2, n_layers=1, **kw
    ),
}


def _weights(model):
    return {k: v.clone() for k, v in model._module.state_dict().items()}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_estimator_learns_a_cycle(name):
    fast = {"learning_rate": 0.02, "dropout": 0.0, "validation_fraction": 0.0}
    model = MODELS[name](max_epochs=40, device="cpu", random_state=0, **fast)
    model.fit(CYCLE)
    assert model.predict(["ab", "bcd", "dabc", "c"]) == ["c", "a", "d", "d"]
    assert model.history_[-1]["train_loss"] < 0.5 * model.history_[0]["train_loss"]


@pytest.mark.parametrize("name", ["gru", "transformer", "lm-tcn"])
def test_padding_never_changes_a_prediction(name):
    model = MODELS[name](**TINY).fit(CYCLE)
    short = ["ab"]
    batch = ["ab", "abcdabcdabcdabcdabcdab", "c", "dabcdabcda"]
    alone = model.predict_proba(short)[0]
    assert np.allclose(model.predict_proba(batch)[0], alone, rtol=0, atol=1e-12)
    ids_alone, _ = model.predict_top_k_ids(short, k=4)
    ids_batch, _ = model.predict_top_k_ids(batch, k=4)
    assert np.array_equal(ids_alone[0], ids_batch[0])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_save_load_gives_identical_outputs(name, tmp_path):
    model = MODELS[name](**TINY).fit(CYCLE)
    path = io.save(model, tmp_path / "model.seqpred")
    manifest = io.read_manifest(path)
    assert manifest["extra_files"] == ["weights.safetensors"]
    loaded = io.load(path)
    queries = ["ab", "dabc", "", "zz", "a"]
    assert np.array_equal(loaded.predict_proba(queries), model.predict_proba(queries))
    assert loaded.predict_top_k(queries, k=3) == model.predict_top_k(queries, k=3)
    for key, value in _weights(model).items():
        assert torch.equal(loaded._module.state_dict()[key], value)
    if isinstance(model, NeuralLanguageModel):
        assert np.array_equal(
            np.concatenate(loaded.log_proba(queries)),
            np.concatenate(model.log_proba(queries)),
        )


def test_an_unfitted_model_saves_and_loads(tmp_path):
    path = io.save(RNNNextItem(hidden_size=4), tmp_path / "unfitted.seqpred")
    assert not io.load(path).is_fitted


def test_seed_gives_identical_refits_and_leaves_the_global_rng_alone():
    before = torch.random.get_rng_state()
    a = MODELS["gru"](**TINY).fit(CYCLE)
    after = torch.random.get_rng_state()
    assert torch.equal(before, after), "fit changed torch's global generator"
    b = MODELS["gru"](**TINY).fit(CYCLE)
    c = MODELS["gru"](**{**TINY, "random_state": 1}).fit(CYCLE)
    wa, wb, wc = _weights(a), _weights(b), _weights(c)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert not all(torch.equal(wa[k], wc[k]) for k in wa)
    gen = np.random.default_rng(5)
    MODELS["gru"](max_epochs=1, device="cpu", random_state=gen).fit(CYCLE)


def test_threads_are_restored():
    torch.set_num_threads(3)
    model = MODELS["gru"](**TINY)  # n_threads=None: one thread
    model.fit(CYCLE)
    assert torch.get_num_threads() == 3
    from seqpred.nn.runtime import threads

    with threads(None, torch.device("cpu")):
        assert torch.get_num_threads() == 1
    with threads(2, torch.device("cpu")):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == 3


def test_max_time_stops_training():
    data = ["abcdefghij" * 20] * 200
    model = RNNNextItem(
        hidden_size=32, max_epochs=10_000, max_time=0.5, device="cpu", random_state=0
    )
    tic = time.perf_counter()
    model.fit(data)
    assert time.perf_counter() - tic < 5.0
    assert model.stop_reason_ == "max_time"
    assert model.n_epochs_ < 10_000


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    noise = [list(rng.integers(0, 6, size=30)) for _ in range(40)]  # nothing to learn
    model = RNNNextItem(
        hidden_size=64, dropout=0.0, learning_rate=0.03, max_epochs=40,
        patience=2, device="cpu", random_state=0,
    ).fit(noise)  # fmt: skip
    assert model.stop_reason_ == "early_stopping"
    losses = [r["valid_loss"] for r in model.history_]
    assert model.best_epoch_ == int(np.argmin(losses)) + 1
    assert model.n_epochs_ == model.best_epoch_ + 2


def test_jsonl_log_has_one_line_per_epoch(tmp_path):
    log = tmp_path / "train.jsonl"
    model = MODELS["transformer"](**{**TINY, "max_epochs": 3}, log_file=str(log))
    model.fit(CYCLE)
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["event"] for r in lines] == ["train_begin"] + ["epoch"] * 3 + [
        "train_end"
    ]
    epoch = lines[1]
    assert {"train_loss", "valid_loss", "lr", "tokens_per_second"} <= set(epoch)
    assert lines[0]["parameters"] > 0 and lines[-1]["n_epochs"] == 3
    model.fit(CYCLE)  # a refit starts a fresh log
    assert len(log.read_text().splitlines()) == 5


def test_no_match_and_unknown_items():
    model = MODELS["gru"](**TINY).fit(CYCLE)
    assert model.predict(["", "zz", "zzq"]) == [None, None, None]
    ids, scores = model.predict_top_k_ids(["zz"], k=3)
    assert (ids == -1).all() and (scores == 0).all()
    assert model.predict(["az"])[0] is not None  # one known item is enough
    ids, _ = model.predict_top_k_ids(["a"], k=10)
    assert sorted(ids[0, :4]) == [3, 4, 5, 6] and (ids[0, 4:] == -1).all()


def test_length_one_training_data_gives_frequency_predictions():
    model = MODELS["gru"](**TINY).fit([["a"], ["b"], ["a"]])
    assert model.stop_reason_ == "no_data"
    assert model.predict([["b"]]) == ["a"]  # output bias = log frequencies


def test_device_errors_are_clear():
    model = RNNNextItem(hidden_size=4, max_epochs=1, device="tpu")
    with pytest.raises(InvalidParameterError, match="device"):
        model.fit(CYCLE)
    if not torch.cuda.is_available():
        with pytest.raises(InvalidParameterError, match="not available"):
            RNNNextItem(hidden_size=4, max_epochs=1, device="cuda").fit(CYCLE)


def test_transformer_heads_must_split_the_width():
    with pytest.raises(InvalidParameterError, match="n_heads=3"):
        TransformerNextItem(8, n_heads=3, max_epochs=1).fit(CYCLE)
    with pytest.raises(InvalidParameterError, match="even"):
        NeuralLanguageModel(
            "transformer", hidden_size=6, n_heads=2, positions="rotary"
        ).fit(CYCLE)


def test_registry_lists_neural_models_without_importing_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import seqpred\n"
        "names = seqpred.available()\n"
        "assert {'gru', 'transformer', 'neural-lm'} <= set(names), names\n"
        "try:\n"
        "    seqpred.create('gru')\n"
        "except ImportError as exc:\n"
        "    assert \"pip install 'seqpred[neural]'\" in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_create_by_name():
    assert isinstance(seqpred.create("gru"), RNNNextItem)
    assert isinstance(seqpred.create("transformer"), TransformerNextItem)
    assert isinstance(seqpred.create("neural-lm"), NeuralLanguageModel)


def test_horizon_averages_the_next_items_distributions():
    model = MODELS["gru"](**TINY).fit(CYCLE)
    step = model.predict_proba(["ab"])[0]
    symbols = model.vocabulary_.symbols
    after = {s: model.predict_proba(["ab" + s])[0] for s in symbols}
    expected = (step + sum(p * after[s] for p, s in zip(step, symbols))) / 2
    model.set_params(horizon=2)  # a prediction setting: no refit needed
    got = model.predict_proba(["ab"])[0]
    assert np.allclose(got, expected, atol=1e-12)
    assert np.isclose(got.sum(), 1.0)
    assert model.predict(["", "zz"]) == [None, None]
