"""Repository-wide pytest settings: skip torch-only modules when torch is absent."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    # the doctests of the neural models import torch; their tests skip themselves
    collect_ignore_glob.append("src/seqpred/models/neural/*")
