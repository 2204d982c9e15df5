"""One local Spark session (``local[2]``) for the Spark tests, or a skip saying why."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest


def spark_missing() -> str | None:
    """Return why Spark cannot run here, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (make spark-setup installs it and Java 17)"
    home = os.environ.get("JAVA_HOME")
    if not (home and os.path.exists(os.path.join(home, "bin", "java"))):
        if shutil.which("java") is None:
            return "Java is not installed (make spark-setup installs Java 17)"
    return None


@pytest.fixture(scope="session")
def spark_session():
    reason = spark_missing()
    if reason:
        pytest.skip(reason)
    from seqpred import spark

    session = spark.session(
        "local[2]",
        config={
            "spark.sql.shuffle.partitions": "3",
            "spark.default.parallelism": "3",
            "spark.driver.memory": "1g",
        },
    )
    yield session
    session.stop()
