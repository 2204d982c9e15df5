"""Encoders and heads: shapes, padding never changes an output, each one learns."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqpred.nn.batching import IGNORE_INDEX  # noqa: E402
from seqpred.nn.encoders import (  # noqa: E402
    InputEmbedding,
    RecurrentEncoder,
    build_encoder,
    last_step,
    masked_mean,
)
from seqpred.nn.heads import CausalSequenceModel  # noqa: E402

ENCODERS = [
    ("gru", {}),
    ("lstm", {"n_layers": 2}),
    ("tcn", {"n_layers": 2}),
    ("transformer", {"n_heads": 2}),
    ("transformer", {"n_heads": 2, "positions": "rotary"}),
]
IDS = ["gru", "lstm", "tcn", "transformer-learned", "transformer-rotary"]


def _encoder(kind, causal=True, **extra):
    torch.manual_seed(0)
    return build_encoder(kind, 6, 8, causal=causal, max_length=16, **extra).double()


@pytest.mark.parametrize("kind, extra", ENCODERS, ids=IDS)
def test_causal_encoders_ignore_padding_and_the_future(kind, extra):
    encoder = _encoder(kind, **extra).eval()
    x = torch.randn(3, 7, 6, dtype=torch.float64)
    mask = torch.ones(3, 7, dtype=torch.bool)
    mask[1, 4:] = False
    mask[2, 1:] = False
    out = encoder(x, mask)
    assert out.shape == (3, 7, 8)
    assert torch.all(out[~mask] == 0)
    for row in range(3):
        n = int(mask[row].sum())
        # the same sequence alone, without padding
        alone = encoder(x[row : row + 1, :n], mask[row : row + 1, :n])
        assert torch.allclose(alone[0], out[row, :n], atol=1e-10)
        # garbage in the padding changes nothing
    noisy = x.clone()
    noisy[~mask] = 1e3
    assert torch.allclose(encoder(noisy, mask), out, atol=1e-10)
    # causality: changing step 5 leaves steps 0..4 alone
    later = x.clone()
    later[0, 5:] += 1.0
    assert torch.allclose(encoder(later, mask)[0, :5], out[0, :5], atol=1e-10)


@pytest.mark.parametrize("kind", ["gru", "lstm", "transformer"])
def test_bidirectional_encoders_ignore_padding(kind):
    encoder = _encoder(kind, causal=False, n_heads=2).eval()
    x = torch.randn(2, 6, 6, dtype=torch.float64)
    mask = torch.tensor([[1] * 6, [1] * 3 + [0] * 3], dtype=torch.bool)
    out = encoder(x, mask)
    alone = encoder(x[1:, :3], mask[1:, :3])
    assert torch.allclose(alone[0], out[1, :3], atol=1e-10)
    noisy = x.clone()
    noisy[1, 3:] = 50.0
    assert torch.allclose(encoder(noisy, mask), out, atol=1e-10)
    # not causal: the last step changes the first
    later = x.clone()
    later[0, -1] += 1.0
    assert not torch.allclose(encoder(later, mask)[0, 0], out[0, 0])


def test_bidirectional_final_state_reads_both_ends():
    encoder = _encoder("gru", causal=False).eval()
    assert isinstance(encoder, RecurrentEncoder)
    x = torch.randn(2, 5, 6, dtype=torch.float64)
    mask = torch.tensor([[1] * 5, [1] * 2 + [0] * 3], dtype=torch.bool)
    hidden = encoder(x, mask)
    summary = encoder.final_state(hidden, mask)
    assert summary.shape == (2, 16)
    assert torch.equal(summary[1, :8], hidden[1, 1, :8])
    assert torch.equal(summary[1, 8:], hidden[1, 0, 8:])


def test_pooling_helpers():
    hidden = torch.arange(12, dtype=torch.float64).view(2, 3, 2)
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]], dtype=torch.bool)
    assert last_step(hidden, mask).tolist() == [[2.0, 3.0], [10.0, 11.0]]
    assert masked_mean(hidden, mask).tolist() == [[1.0, 2.0], [8.0, 9.0]]


def test_input_embedding_mixes_categorical_columns_and_numbers():
    torch.manual_seed(0)
    embed = InputEmbedding([5, 7], [3, 4], n_numeric=2, numeric_dim=6)
    assert embed.output_dim == 13
    ids = torch.tensor([[[1, 2], [3, 0]]])  # (N=1, L=2, K=2)
    numbers = torch.randn(1, 2, 2)
    out = embed(ids, numbers)
    assert out.shape == (1, 2, 13)
    # each column has its own table; id 0 (padding) embeds as zeros
    assert torch.equal(out[0, 1, 3:7], torch.zeros(4))
    assert embed(ids).shape == (1, 2, 7)
    only_numbers = InputEmbedding(n_numeric=2, numeric_dim=4)
    assert only_numbers(numeric=numbers).shape == (1, 2, 4)
    # null ids are zero vectors
    table = InputEmbedding([6], [4], null_ids=(0, 1, 2)).tables[0].weight
    assert torch.all(table[:3] == 0) and torch.all(table[3:].abs().sum(1) > 0)


@pytest.mark.parametrize("kind, extra", ENCODERS, ids=IDS)
def test_each_encoder_with_the_softmax_head_overfits_a_batch(kind, extra):
    torch.manual_seed(0)
    network = CausalSequenceModel(
        vocab_size=13, encoder=kind, embedding_dim=16, hidden_size=32,
        max_length=16, **extra,
    )  # fmt: skip
    rng = np.random.default_rng(0)
    window = torch.from_numpy(rng.integers(3, 13, size=(4, 12)))
    inputs, targets = window[:, :-1], window[:, 1:].clone()
    mask = torch.ones_like(inputs, dtype=torch.bool)
    mask[3, 6:] = False
    targets[~mask] = IGNORE_INDEX
    optimizer = torch.optim.Adam(network.parameters(), lr=0.01)
    for _ in range(150):
        logits = network(inputs, mask)
        loss = torch.nn.functional.cross_entropy(
            logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE_INDEX
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1, f"{kind} did not learn: loss {loss.item():.3f}"
    # blocked ids never get probability
    assert torch.all(torch.isinf(network(inputs, mask)[..., :3]))


def test_tied_head_reuses_the_embedding():
    network = CausalSequenceModel(10, "gru", 8, 12, tie_weights=True)
    names = dict(network.named_parameters())
    assert "head.weight" not in names and "head.projection.weight" in names
    untied = CausalSequenceModel(10, "gru", 8, 12)
    assert "head.weight" in dict(untied.named_parameters())


def test_recurrent_step_matches_a_full_pass():
    torch.manual_seed(0)
    network = CausalSequenceModel(10, "lstm", 8, 12, n_layers=2).double().eval()
    ids = torch.tensor([[3, 4, 5, 6, 7]])
    full = network(ids)[:, -1]
    logits, state = network.step(ids[:, :3])
    logits, state = network.step(ids[:, 3:4], state)
    logits, state = network.step(ids[:, 4:5], state)
    assert torch.allclose(full, logits, atol=1e-12)
    assert state[0].shape == (1, 2, 12)  # batch-first states
