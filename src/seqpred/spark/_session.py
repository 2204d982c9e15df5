"""Check the Spark set-up and start a local session with settings that suit seqpred."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

__all__ = ["require_pyspark", "session"]

SETUP = (
    "Install the extra with pip install 'seqpred[spark]' (PySpark >= 4) and Java 17 "
    "(Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless; in a clone of "
    "seqpred: make spark-setup)."
)


def require_pyspark(who: str) -> Any:
    """Import and return :mod:`pyspark`, or raise an ImportError saying what to add."""
    try:
        import pyspark
    except ImportError:
        raise ImportError(f"{who}: PySpark is not installed. {SETUP}") from None
    major = int(pyspark.__version__.split(".")[0])
    if major < 4:
        raise ImportError(
            f"{who}: PySpark {pyspark.__version__} is installed; expected 4 or newer. "
            f"{SETUP}"
        )
    return pyspark


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def session(
    master: str = "local[2]",
    *,
    app_name: str = "seqpred",
    driver_memory: str | None = None,
    config: dict[str, str] | None = None,
) -> Any:
    """Start (or return the running) Spark session, set up for seqpred's jobs.

    The Python workers run the interpreter that calls this function (so
    they import the same seqpred), Arrow transfers are on, the web UI is
    off, and shuffles use a few partitions per core. Any ``config`` entry
    wins over these. On a cluster, build the session as usual instead: the
    functions of :mod:`seqpred.spark` take any session's DataFrames.

    Parameters
    ----------
    master : str, default="local[2]"
        The Spark master (``local[N]`` runs N cores in this process's JVM).
    app_name : str, default="seqpred"
        The application's name.
    driver_memory : str or None, default=None
        ``spark.driver.memory`` (``"4g"``); only takes effect when this call
        starts the JVM.
    config : dict or None, default=None
        More Spark settings.

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    ImportError
        If PySpark 4 is missing, or Java is not found (``JAVA_HOME`` or
        ``java`` on the ``PATH``).

    Examples
    --------
    >>> from seqpred import spark
    >>> session = spark.session("local[2]")  # doctest: +SKIP
    """
    require_pyspark("seqpred.spark.session")
    if not _java_found():
        raise ImportError(
            "seqpred.spark.session: Java was not found (no JAVA_HOME, no java on the "
            f"PATH); Spark needs Java 17. {SETUP}"
        )
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    cores = _cores(master)
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(max(2, 2 * cores)),
        "spark.default.parallelism": str(max(2, 2 * cores)),
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.python.worker.reuse": "true",
    }
    if driver_memory is not None:
        settings["spark.driver.memory"] = driver_memory
    settings.update(config or {})
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _cores(master: str) -> int:
    if master.startswith("local[") and master.endswith("]"):
        inner = master[len("local[") : -1].split(",")[0]
        return (os.cpu_count() or 2) if inner == "*" else int(inner)
    return 2
