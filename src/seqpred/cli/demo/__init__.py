"""``seqpred demo``: the guided tour, one module per part beyond next item.

:mod:`.tour` runs the parts in order; :mod:`.classify`, :mod:`.forecast`,
:mod:`.generate` and :mod:`.seq2seq` each add one task to it.
"""

from seqpred.cli.demo.tour import PARTS, DemoState, run_demo

__all__ = ["PARTS", "DemoState", "run_demo"]
