"""Neural next-item models on PyTorch: causal RNN/Transformer and a language model.

torch is needed to import these modules; :mod:`seqpred.models.next_item`
imports them on first use, so ``import seqpred`` never needs torch.
"""
