"""Markov-family next-item models: k-order Markov, PPM, AKOM, DG, LZ78 and TDAG.

Import them from :mod:`seqpred.models.next_item`.
"""
