"""Fit and score seqpred models on Apache Spark (``pip install 'seqpred[spark]'``).

The front door for data that lives on a cluster, in Parquet behind Spark.
It needs PySpark 4 and Java 17 (``make spark-setup`` in a clone installs
both); ``import seqpred.spark`` itself needs neither, and each function says
what is missing.

=====================  ================================================
function               what it does
=====================  ================================================
:func:`session`        a local Spark session set up for seqpred
:func:`sessionize`     events to sessions at pauses (window functions)
:func:`sequences`      events to one row per sequence (items by time)
:func:`fit`            fit a model: statistics per partition, merged in
                       a tree (``treeReduce``); an ordinary seqpred model
:func:`predict`        predict every row with a broadcast model file
:func:`score`          the metrics of a fitted model, summed per
                       partition
:func:`forecast`       a forecaster per series (``applyInPandas``)
=====================  ================================================

**Exactly the local model.** For the models with mergeable statistics
(:mod:`seqpred.models.mergeable`: Markov, AKOM, PPM, TDAG, DG, k-mer,
the naive forecasters) :func:`fit` returns the model ``fit`` gives in one
process on the same sequences, taken in sequence-id order with events in
``(time, item)`` order: the shared vocabulary numbers symbols by that first
appearance, and the merge of the counts does not depend on the partitions.
Only statistics reach the driver. Other models (CPT, CPT+, LZ78, ...) are
fitted on the driver from the sequences the executors encode to int ids.

**Scoring** broadcasts the model file's bytes (:func:`seqpred.io.dumps`,
never pickle); every worker loads it once and predicts Arrow batches.

Examples
--------
>>> from seqpred import spark
>>> session = spark.session("local[2]")  # doctest: +SKIP
>>> events = session.read.parquet("clicks.parquet")  # doctest: +SKIP
>>> sessions = spark.sessionize(events, user="user_id", time="timestamp",
...                             item="page", gap="30 minutes")  # doctest: +SKIP
>>> model = spark.fit("markov", sessions, order=2)  # doctest: +SKIP
>>> spark.predict(model, sessions, k=3).show()  # doctest: +SKIP
"""

from seqpred.spark._data import sequences, sessionize
from seqpred.spark._fit import fit
from seqpred.spark._forecast import forecast
from seqpred.spark._predict import predict, score
from seqpred.spark._session import session

__all__ = [
    "fit",
    "forecast",
    "predict",
    "score",
    "sequences",
    "session",
    "sessionize",
]
