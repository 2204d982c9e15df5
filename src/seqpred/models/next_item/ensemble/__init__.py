"""Ensembles of next-item models: a weighted vote and an online mixture.

Import them from :mod:`seqpred.models.next_item`.
"""
