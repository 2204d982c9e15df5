"""Neural sequence models on PyTorch: encoders, heads, one trainer, estimators.

torch is needed to import anything here beyond the lazy helpers; without
it, the import error says what to install (``pip install 'seqpred[neural]'``).
``import seqpred`` itself never imports torch: the registry names these
classes by import string.

Modules: :mod:`.encoders` (embedding, GRU/LSTM, temporal CNN, Transformer),
:mod:`.heads` (next-token head, causal network), :mod:`.batching`,
:mod:`.trainer` and :mod:`.callbacks` (training), :mod:`.next_item`
(:class:`RNNNextItem`, :class:`TransformerNextItem`) and
:mod:`.language_model` (:class:`NeuralLanguageModel`), :mod:`.classifier`
(:class:`NeuralSequenceClassifier`), :mod:`.seq2seq` (:class:`Seq2SeqNetwork`) and
:mod:`.forecaster` (:class:`NeuralForecaster`).
"""

from seqpred.models.neural._torch import require_torch

require_torch()

from seqpred.models.neural.callbacks import JsonlLogger  # noqa: E402
from seqpred.models.neural.classifier import NeuralSequenceClassifier  # noqa: E402
from seqpred.models.neural.forecaster import NeuralForecaster  # noqa: E402
from seqpred.models.neural.language_model import NeuralLanguageModel  # noqa: E402
from seqpred.models.neural.next_item import (  # noqa: E402
    RNNNextItem,
    TransformerNextItem,
)
from seqpred.models.neural.seq2seq import Seq2SeqNetwork  # noqa: E402
from seqpred.models.neural.trainer import Trainer  # noqa: E402

__all__ = [
    "JsonlLogger",
    "NeuralForecaster",
    "NeuralLanguageModel",
    "NeuralSequenceClassifier",
    "RNNNextItem",
    "Seq2SeqNetwork",
    "Trainer",
    "TransformerNextItem",
]
