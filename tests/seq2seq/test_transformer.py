"""TransformerSeq2Seq: overfitting, beam search, saving, determinism, positions."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqpred import create  # noqa: E402
from seqpred.exceptions import InvalidParameterError  # noqa: E402
from seqpred.io import load, save  # noqa: E402
from seqpred.models.seq2seq.transformer import TransformerSeq2Seq  # noqa: E402

X = ["abc", "bca", "cab", "acb", "bac", "cba", "ab", "ba", "ca", "c"]
Y = [x[::-1] for x in X]


@pytest.fixture(autouse=True)
def _one_torch_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _model(**params):
    base = {"d_model": 32, "n_heads": 4, "n_layers": 1, "max_epochs": 60,
            "learning_rate": 0.005, "validation_fraction": 0.0,
            "batch_size": 10, "random_state": 0, "device": "cpu"}  # fmt: skip
    return TransformerSeq2Seq(**{**base, **params})


@pytest.fixture(scope="module")
def fitted():
    return _model().fit(X, Y)


def test_overfits_a_tiny_batch(fitted):
    assert fitted.score(X, Y) == 1.0
    assert fitted.predict(X, beam_width=3) == Y
    assert fitted.history_[-1]["train_loss"] < 0.05


def test_beam_is_at_least_as_likely_as_greedy():
    model = _model(max_epochs=4).fit(X, Y)  # undertrained: uncertain outputs
    queries = ["abc", "cab", "bb", "a"]
    greedy = model.predict(queries)
    beam = model.predict(queries, beam_width=4)
    assert np.all(
        model.log_proba(queries, beam) >= model.log_proba(queries, greedy) - 1e-9
    )


def test_save_load_and_determinism(fitted, tmp_path):
    twin = load(save(fitted, tmp_path / "t.seqpred"))
    queries = ["abc", "cc", "zz", ""]
    assert twin.predict(queries, beam_width=2) == fitted.predict(queries, beam_width=2)
    np.testing.assert_array_equal(twin.log_proba(X, Y), fitted.log_proba(X, Y))
    again = _model().fit(X, Y)
    np.testing.assert_array_equal(again.log_proba(X, Y), fitted.log_proba(X, Y))


def test_rotary_model_reads_longer_inputs_than_trained():
    model = _model(max_epochs=2).fit(X, Y)
    out = model.predict(["abcabcabcabc" * 3], max_length=5)
    assert len(out[0]) <= 5


def test_learned_positions_reverse_input_and_registry():
    model = create("seq2seq-transformer", d_model=16, n_heads=2, n_layers=1,
                   positions="learned", reverse_input=True, max_epochs=2,
                   validation_fraction=0.0, random_state=0, device="cpu")  # fmt: skip
    lists = [list(x) for x in X]
    out = model.fit(lists, [list(y) for y in Y]).predict(lists[:3])
    assert all(isinstance(o, list) for o in out)
    assert model.module_config_["positions"] == "learned"


def test_bad_head_width():
    with pytest.raises(InvalidParameterError, match="even width"):
        TransformerSeq2Seq(d_model=12, n_heads=4).fit(X, Y)


@pytest.mark.parametrize("positions", ["rotary", "learned"])
def test_cached_step_by_step_decoding_equals_teacher_forcing(positions):
    from seqpred.models.seq2seq.transformer import TransformerSeq2SeqModule

    torch.manual_seed(0)
    module = TransformerSeq2SeqModule(9, 7, 16, 2, 2, 0.0, positions).double().eval()
    source = torch.randint(3, 9, (3, 5))
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[0, 3:] = False
    tokens = torch.randint(2, 7, (3, 6))
    full = module(source, mask, tokens)  # (N, T, V)
    memory, keys, state = module.encode(source, mask)
    steps = []
    for t in range(6):
        logits, state = module.decode(tokens[:, t : t + 1], state, memory, keys, mask)
        steps.append(logits)
    torch.testing.assert_close(torch.cat(steps, dim=1), full)
    # two steps at once after a cached prefix (the masked path) agree too
    memory, keys, state = module.encode(source, mask)
    first, state = module.decode(tokens[:, :3], state, memory, keys, mask)
    rest, _ = module.decode(tokens[:, 3:], state, memory, keys, mask)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), full)
