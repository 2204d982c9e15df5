"""CUDA: bf16 training, float64 predictions that match the CPU, loading on the CPU."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device", allow_module_level=True)

from seqpred import io  # noqa: E402
from seqpred.models.next_item import NeuralLanguageModel, RNNNextItem  # noqa: E402
from seqpred.nn.runtime import resolve_device  # noqa: E402

DATA = ["abcdabcdabcd", "abcdab", "cdabcdab", "dabcda"] * 3
QUERIES = ["ab", "dabc", "", "c", "abcdabcdab"]


def test_auto_picks_cuda():
    assert resolve_device("auto", "test").type == "cuda"


@pytest.mark.parametrize(
    "make",
    [
        lambda: RNNNextItem(hidden_size=16, max_epochs=3, random_state=0),
        lambda: NeuralLanguageModel(
            "transformer", hidden_size=16, n_heads=2, max_epochs=3, random_state=0
        ),
    ],
)
def test_gpu_model_predicts_like_its_cpu_copy_and_loads_on_cpu(make, tmp_path):
    model = make().fit(DATA)  # device="auto": CUDA, bf16 autocast
    on_gpu = model.predict_proba(QUERIES)
    path = io.save(model, tmp_path / "gpu.seqpred")
    loaded = io.load(path).set_params(device="cpu")
    on_cpu = loaded.predict_proba(QUERIES)
    assert np.allclose(on_gpu, on_cpu, rtol=0, atol=1e-9)
    assert loaded.predict(QUERIES) == model.predict(QUERIES)


def test_gpu_refit_with_a_seed_is_close():
    a = RNNNextItem(hidden_size=16, max_epochs=3, random_state=0).fit(DATA)
    b = RNNNextItem(hidden_size=16, max_epochs=3, random_state=0).fit(DATA)
    # cuDNN kernels are not bit-for-bit deterministic; the refits must agree
    # closely, and exactly where the kernels are deterministic.
    assert np.allclose(a.predict_proba(QUERIES), b.predict_proba(QUERIES), atol=1e-4)
