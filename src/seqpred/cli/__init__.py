"""The ``seqpred`` command line.

:mod:`.app` defines the commands (fit, predict, evaluate, datasets, demo,
generate, compress, decompress) and the exit codes; :mod:`.tasks` routes
``fit``, ``predict`` and ``evaluate`` to one handler module per task
(:mod:`.next_item`, :mod:`.classify`, :mod:`.forecast`, :mod:`.seq2seq`);
:mod:`.output` prints tables, JSON and CSV; :mod:`.demo` is the guided tour.

Examples
--------
>>> from seqpred.cli import main
>>> main(["--version"])
seqpred ...
0
"""

from seqpred.cli.app import app, app_main, main

__all__ = ["app", "app_main", "main"]
