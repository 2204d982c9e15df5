"""Deprecated: the task packages moved to :mod:`seqpred.models`.

They are ``seqpred.models.next_item``, ``.classify``, ``.forecast``,
``.seq2seq``, ``.generate`` and ``.anomaly``. The modules here forward their
old names there, with a :class:`DeprecationWarning`, until seqpred 0.3.
"""
