"""The sequence problems as estimators built on :mod:`seqpred.models`."""
