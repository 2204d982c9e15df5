"""Repository-wide pytest settings: skip torch-only modules when torch is absent."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    # the modules of the neural models import torch; their tests skip themselves
    collect_ignore_glob += [
        "src/seqpred/nn/[!_r]*.py",  # all but __init__ and runtime
        "src/seqpred/models/next_item/neural/*",
        "src/seqpred/models/*/neural.py",
        "src/seqpred/models/forecast/*encoder_decoder*.py",
        "src/seqpred/models/seq2seq/rnn.py",
        "src/seqpred/models/seq2seq/transformer.py",
        "src/seqpred/models/generate/piano_roll.py",
    ]
