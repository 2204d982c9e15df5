"""Compact prediction trees: CPT and CPT+ (and the prediction tree they build).

Import them from :mod:`seqpred.models.next_item`.
"""
