"""PyTorch pieces shared by the neural models of every task.

:mod:`.runtime` (the lazy torch import, devices, CPU threads, seeds),
:mod:`.encoders` (embedding, GRU/LSTM, temporal CNN, Transformer),
:mod:`.heads` (next-token head, causal network), :mod:`.batching`,
:mod:`.trainer` and :mod:`.callbacks` (one training loop),
:mod:`.estimator` (:class:`~.estimator.NeuralEstimatorMixin`: training,
devices, seeds and saving for an estimator owning one network) and
:mod:`.feature_conditioning` (per-sequence feature vectors) and :mod:`.fields`
(the fields of events as network inputs).

Nothing here is imported by ``import seqpred``; importing a module that
needs torch without it installed says what to install
(``pip install 'seqpred[neural]'``).
"""
