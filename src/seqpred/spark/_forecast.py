"""Many-series forecasting on Spark: a model per series, fitted where the series lives.

``groupBy(unique_id).applyInPandas``: every group's series is read as
:func:`seqpred.data.from_pandas` reads a long table (``unique_id, ds, y``),
a clone of the model is fitted on it and its :meth:`forecast` frame is
returned, as statsforecast does on Spark. With ``n_groups``, series are
hashed into that many groups and each group fits one panel: the same
forecasts for the local models (naive, ETS, Theta, ARIMA, ...) at much less
per-group overhead; a global model (AR, DLinear, neural) is then fitted on
each group's series together.
"""

from __future__ import annotations

from typing import Any

from seqpred.base import BaseEstimator, clone
from seqpred.data.readers.roles import AUTO
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.spark._data import columns_of
from seqpred.spark._fit import _estimator
from seqpred.spark._session import require_pyspark

__all__ = ["forecast"]


def forecast(
    model: Any,
    df: Any,
    *,
    horizon: int,
    coverage: float = 0.8,
    id_col: str | None = AUTO,
    time_col: str | None = AUTO,
    value_col: str = AUTO,
    n_groups: int | None = None,
    **params: Any,
) -> Any:
    """Fit a forecaster on every series of a long table and forecast each, in parallel.

    Parameters
    ----------
    model : str or BaseEstimator
        A registered forecaster name (``"naive"``, ``"ets"``, ``"theta"``,
        ...) or an unfitted forecaster; a clone is fitted per group.
    df : pyspark.sql.DataFrame
        One row per step: a series id, a time and a value (the Nixtla
        convention ``unique_id, ds, y`` is found from names).
    horizon : int
        Steps to forecast.
    coverage : float, default=0.8
        The central interval of ``lower`` and ``upper``.
    id_col, time_col, value_col : str or "auto"
        The columns' roles.
    n_groups : int or None, default=None
        ``None`` fits one model per series (``groupBy(id_col)``); an int
        hashes the series into that many groups, one panel fit each.
    **params
        Parameters of the model, when ``model`` is a name.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns ``id_col``, ``step`` (1 to ``horizon``), ``ds`` (the time of
        the step for timestamp data with a regular step, else null),
        ``feature``, ``mean``, ``lower``, ``upper``.

    Examples
    --------
    >>> from seqpred import spark
    >>> spark.forecast("naive", series, horizon=7).show()  # doctest: +SKIP
    """
    require_pyspark("seqpred.spark.forecast")
    who = "seqpred.spark.forecast"
    estimator = _estimator(model, params)
    if estimator.get_tags().task != "forecast":
        raise InvalidParameterError(
            f"{who}: {type(estimator).__name__} is not a forecaster; expected one "
            "such as 'naive', 'ets' or 'theta'."
        )
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise InvalidParameterError(
            f"{who}: horizon must be an int >= 1; got {horizon!r}. Use horizon=7."
        )
    columns = columns_of(
        df, sequence_col=id_col, item_col=value_col, time_col=time_col, who=who
    )
    if columns.grouped or columns.sequence is None or columns.time is None:
        raise DataError(
            f"{who}: expected a long table with a series id, a time and a value "
            f"column (unique_id, ds, y); got columns {df.columns!r}. Name them with "
            "id_col=, time_col=, value_col=."
        )
    return _apply(estimator, df, columns.sequence, columns.time, columns.items,
                  horizon, coverage, n_groups)  # fmt: skip


def _apply(
    estimator: BaseEstimator, df: Any, ids: str, time: str, value: str,
    horizon: int, coverage: float, n_groups: int | None,
) -> Any:  # fmt: skip
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, NumericType, TimestampType

    kind = df.schema[time].dataType
    temporal = isinstance(kind, (TimestampType, DateType))
    if not (temporal or isinstance(kind, NumericType)):
        raise DataError(
            f"seqpred.spark.forecast: time column {time!r} is {kind.simpleString()}; "
            "expected a timestamp, a date or numbers."
        )
    id_type = df.schema[ids].dataType.simpleString()
    ds_type = "timestamp" if temporal else "double"
    schema = (
        f"{ids} {id_type}, step int, ds {ds_type}, feature int, mean double, "
        "lower double, upper double"
    )
    clock = F.col(time).cast("timestamp") if temporal else F.col(time).cast("double")
    table = df.select(F.col(ids), clock.alias(time), F.col(value).cast("double"))

    def forecast_group(frame: Any) -> Any:
        import pandas as pd

        from seqpred.data.readers.tabular import from_pandas

        ss = from_pandas(
            frame, sequence_col=ids, time_col=time, item_col=value, kind="numeric"
        )
        twin: Any = clone(estimator)
        fitted = twin.fit(ss)
        out = fitted.forecast(horizon=horizon, coverage=coverage).to_pandas()
        out = out.rename(columns={"series": ids})
        if "ds" not in out.columns:
            out["ds"] = None
        elif temporal:
            out["ds"] = pd.to_datetime(out["ds"])
        return out[[ids, "step", "ds", "feature", "mean", "lower", "upper"]]

    if n_groups is None:
        return table.groupBy(ids).applyInPandas(forecast_group, schema)
    if isinstance(n_groups, bool) or not isinstance(n_groups, int) or n_groups < 1:
        raise InvalidParameterError(
            f"seqpred.spark.forecast: n_groups must be None or an int >= 1; got "
            f"{n_groups!r}. Use n_groups=None (a model per series)."
        )
    bucket = F.pmod(F.hash(F.col(ids)), F.lit(n_groups))
    return (
        table.withColumn("_group", bucket)
        .groupBy("_group")
        .applyInPandas(lambda f: forecast_group(f.drop(columns="_group")), schema)
    )
