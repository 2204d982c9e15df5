"""Compiled estimation of ETS, Theta and ARIMA: objectives and Nelder-Mead.

A statistical forecaster fits a few to a few dozen candidate models to every
series (M3 alone has 3,003), each with hundreds of objective evaluations of
a few microseconds, so the optimiser runs inside numba together with the
objective: a whole fit stays compiled. (:func:`scipy.optimize.minimize`
would spend most of its time calling into the objective, and seqpred keeps
scipy out of its core dependencies.)

Why one module: the objective is chosen by an int ``kind`` (:data:`ETS`,
:data:`THETA`, :data:`ARIMA`), because numba cannot cache a function that
takes another function as an argument; and numba's on-disk cache only
notices changes to a function's *own* source file, so an optimiser cached in
one file would keep running a stale objective edited in another. Everything
the optimiser calls therefore lives here; the forecasting kernels, which
call nothing across files, live beside each model.

Each objective is called as ``f(x, y, ints, floats) -> float``: the free
vector, the series and the model's settings in two arrays. A non-finite
value counts as ``1e300``, so an objective refuses a point by returning
``inf``.

**ETS** (Hyndman, Koehler, Ord and Snyder, 2008, chapter 2, table 2.3;
*Forecasting: Principles and Practice*, 3rd ed., section 8.5). The state is
the level ``l``, the slope ``b`` and the last ``m`` seasonal values, kept in
a ring ``s`` where ``s[t % m]`` is the seasonal value of step ``t``. With
``lb = l + phi b`` (``phi = 1`` without damping, ``b = 0`` without trend)
the one-step forecast is ``mu = lb``, ``lb + s`` or ``lb * s``; with the
error ``E = y - mu`` in the data's units the state moves by

* seasonal none or additive: ``l = lb + alpha E``, ``b = phi b + beta E``,
  ``s = s + gamma E``;
* seasonal multiplicative: ``l = lb + alpha E / s``,
  ``b = phi b + beta E / s``, ``s = s + gamma E / lb``.

Additive and multiplicative errors give the same recursion (the relative
error ``e = E / mu`` of a multiplicative-error model rescales the
corrections exactly), so the error type only changes the likelihood and the
spread of the forecasts. Codes: ``error`` 0 additive, 1 multiplicative;
``trend`` 0 none, 1 additive, 2 damped; ``season`` 0 none, 1 additive,
2 multiplicative.

**Theta** (Fiorucci et al. 2016). With the least-squares line ``A + B t``
of the series (``t = 1 .. n``), the forecast is ``l_n + (1 - 1/theta)
[(1 - alpha)^n A + ((h - 1) + (1 - (1 - alpha)^(n + 1)) / alpha) B]``,
``l_n`` simple exponential smoothing from ``l_0``. It is exactly ``(1 -
1/theta)`` x the extrapolated line plus ``1/theta`` x SES of the theta line
``theta y + (1 - theta)(A + B t)`` started at ``theta l_0`` (summing the SES
weights over the line gives the bracket), so ``theta = 2`` is the classic
method of Assimakopoulos and Nikolopoulos (2000). The one-step fitted value
at ``t`` is the same formula from origin ``t - 1`` with ``h = 1``, with the
line of the whole series (static models) or of the first ``t - 1`` values,
updated recursively (dynamic models, which need no look-ahead).

**ARIMA** (Box, Jenkins and Reinsel, chapters 7 and 9). The differenced
series ``w`` follows ``phi(B) Phi(B^m) (w_t - mu) = theta(B) Theta(B^m)
e_t`` with ``phi(B) = 1 - phi_1 B - ...`` and ``theta(B) = 1 + theta_1 B +
...``; the products expand to ``1 - sum a_i B^i`` and ``1 + sum b_j B^j``.
The optimiser works on free numbers whose ``tanh`` are each polynomial's
partial autocorrelations, turned into coefficients by the Durbin-Levinson
recursion (Jones 1980), so every AR part is stationary and every MA part
invertible by construction. The free vector is ``[u_ar (p), u_sar (P),
u_ma (q), u_sma (Q), (mu)]``; ``ints`` is ``[p, q, P, Q, m, constant]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array

__all__ = [
    "ARIMA",
    "ETS",
    "ETS_ALPHA",
    "ETS_PHI",
    "THETA",
    "THETA_ALPHA",
    "arima_residuals",
    "arima_unpack",
    "ets_decode",
    "ets_filter",
    "expand",
    "from_partial",
    "nelder_mead",
    "theta_decode",
    "theta_run",
]

_BIG = 1e300
ETS = 0
"""``kind`` of the ETS likelihood (:func:`ets_objective`)."""
THETA = 1
"""``kind`` of the Theta mean squared error (:func:`theta_objective`)."""
ARIMA = 2
"""``kind`` of the ARIMA conditional sum of squares (:func:`css_objective`)."""
ETS_ALPHA = (1e-4, 0.9999)
ETS_PHI = (0.8, 0.98)
THETA_ALPHA = (1e-3, 0.999)


@maybe_njit
def _logistic(u: float) -> float:
    if u >= 0:
        return float(1.0 / (1.0 + np.exp(-u)))
    e = np.exp(u)
    return float(e / (1.0 + e))


# -- ETS ------------------------------------------------------------------------------


@maybe_njit
def ets_decode(x: Array, trend: int, season: int, m: int) -> tuple[Any, ...]:
    """Map the optimiser's free vector to ``(alpha, beta, gamma, phi, l0, b0, s0)``.

    ``x`` is ``[u_alpha, (u_beta), (u_gamma), (u_phi), l0, (b0), s_0 ..
    s_{m-2}]``; the smoothing parameters are squashed into the usual region
    of Hyndman et al. (2008, section 5.2): ``alpha`` in ``(1e-4, 0.9999)``,
    ``beta = alpha * sigmoid`` (so ``beta < alpha``), ``gamma = (1 - alpha)
    * sigmoid`` and ``phi`` in ``(0.8, 0.98)``. The last initial seasonal
    value makes them sum to 0 (additive) or ``m`` (multiplicative).
    """
    k = 0
    alpha = ETS_ALPHA[0] + (ETS_ALPHA[1] - ETS_ALPHA[0]) * _logistic(x[k])
    k += 1
    beta = 0.0
    if trend > 0:
        beta = alpha * _logistic(x[k])
        k += 1
    gamma = 0.0
    if season > 0:
        gamma = (1.0 - alpha) * _logistic(x[k])
        k += 1
    phi = 1.0
    if trend == 2:
        phi = ETS_PHI[0] + (ETS_PHI[1] - ETS_PHI[0]) * _logistic(x[k])
        k += 1
    level = x[k]
    k += 1
    slope = 0.0
    if trend > 0:
        slope = x[k]
        k += 1
    seasonal = np.zeros(max(m, 1)) if season != 2 else np.ones(max(m, 1))
    if season > 0:
        total = 0.0
        for j in range(m - 1):
            seasonal[j] = x[k + j]
            total += x[k + j]
        seasonal[m - 1] = (0.0 if season == 1 else float(m)) - total
    return alpha, beta, gamma, phi, level, slope, seasonal


@maybe_njit
def ets_mean(lb: float, s: Array, j: int, season: int) -> float:
    """Return one step's mean from ``lb`` (level plus damped slope) and ``s[j]``.

    ``s`` is read only for a seasonal model.
    """
    if season == 0:
        return lb
    if season == 1:
        return lb + float(s[j])
    return lb * float(s[j])


@maybe_njit
def ets_update(
    lb: float,
    slope: float,
    s: Array,
    j: int,
    big: float,
    season: int,
    alpha: float,
    beta: float,
    gamma: float,
    damp: float,
) -> tuple[float, float]:
    """Move the state by one step with error ``big``; return ``(level, slope)``.

    ``s[j]``, the step's seasonal value, is updated in place. A zero
    multiplicative seasonal value or level leaves the parts it would divide
    unchanged (the filter stops before reaching one; simulated paths may not).
    """
    if season == 2:
        level = lb + alpha * big / s[j] if s[j] != 0.0 else lb
        slope = damp * slope + (beta * big / s[j] if s[j] != 0.0 else 0.0)
        if lb != 0.0:
            s[j] = s[j] + gamma * big / lb
        return level, slope
    if season == 1:
        s[j] = s[j] + gamma * big
    return lb + alpha * big, damp * slope + beta * big


@maybe_njit
def ets_filter(
    y: Array,
    error: int,
    trend: int,
    season: int,
    m: int,
    alpha: float,
    beta: float,
    gamma: float,
    phi: float,
    level: float,
    slope: float,
    seasonal: Array,
) -> tuple[float, float, float, float, Array, bool]:
    """Run the model over ``y``; return ``(sse, sum log|mu|, l, b, s, ok)``.

    ``sse`` sums the squared errors of the model's error type (relative for
    multiplicative errors); ``ok`` is False as soon as a multiplicative
    component meets a non-positive value (the model is then invalid here).
    ``s`` is the ring of seasonal values after the last step.
    """
    s = seasonal.copy()
    sse, logs = 0.0, 0.0
    damp = phi if trend == 2 else 1.0
    for t in range(len(y)):
        lb = level + damp * slope
        j = t % m if season > 0 else 0
        if season == 2 and (lb <= 0.0 or s[j] <= 0.0):
            return np.inf, 0.0, level, slope, s, False
        mu = ets_mean(lb, s, j, season)
        big = y[t] - mu
        if error == 1:
            if mu <= 0.0:
                return np.inf, 0.0, level, slope, s, False
            sse += (big / mu) ** 2
            logs += np.log(mu)
        else:
            sse += big * big
        level, slope = ets_update(
            lb, slope, s, j, big, season, alpha, beta, gamma, damp
        )
    return sse, logs, level, slope, s, True


@maybe_njit
def ets_objective(x: Array, y: Array, ints: Array, floats: Array) -> float:
    """Return ``n log(SSE) + 2 sum log|mu|`` (twice the negative log-likelihood).

    The concentrated likelihood of Hyndman et al. (2008), equation (5.3):
    the second term only for multiplicative errors. ``ints`` is ``[error,
    trend, season, m]``; ``floats`` is unused.
    """
    error, trend, season, m = ints[0], ints[1], ints[2], ints[3]
    alpha, beta, gamma, phi, level, slope, seasonal = ets_decode(x, trend, season, m)
    if season == 2:
        for j in range(m):
            if seasonal[j] <= 0.0:
                return np.inf
    sse, logs, _, _, _, ok = ets_filter(
        y, error, trend, season, m, alpha, beta, gamma, phi, level, slope, seasonal
    )
    if not ok:
        return np.inf
    n = len(y)
    return float(n * np.log(max(sse, 1e-300)) + 2.0 * logs)


# -- Theta ----------------------------------------------------------------------------


@maybe_njit
def theta_line(y: Array) -> tuple[float, float]:
    """Return the intercept ``A`` and slope ``B`` of ``y`` on ``t = 1 .. n``."""
    n = len(y)
    if n < 2:
        return float(y[0]) if n else 0.0, 0.0
    mean_t = (n + 1) / 2.0
    mean_y = y.mean()
    num, den = 0.0, 0.0
    for i in range(n):
        d = (i + 1) - mean_t
        num += d * (y[i] - mean_y)
        den += d * d
    slope = num / den
    return mean_y - slope * mean_t, slope


@maybe_njit
def theta_decode(
    x: Array, optimise_theta: int, theta: float
) -> tuple[float, float, float]:
    """Map ``[u_alpha, l0, (u_theta)]`` to ``(alpha, l0, theta)``.

    ``alpha`` in ``(0.001, 0.999)``; an optimised ``theta = 1 + exp(u)``
    (``theta >= 1``, so the line's weight ``1 - 1/theta`` stays in [0, 1)).
    """
    alpha = THETA_ALPHA[0] + (THETA_ALPHA[1] - THETA_ALPHA[0]) * _logistic(x[0])
    if optimise_theta:
        theta = 1.0 + np.exp(min(x[2], 30.0))
    return alpha, x[1], theta


@maybe_njit
def theta_run(
    y: Array, alpha: float, theta: float, level: float, dynamic: int
) -> tuple[float, int, float, float, float]:
    """Filter ``y``; return ``(SSE, errors counted, l_n, A_n, B_n)``.

    Static models score every step with the whole series' line; dynamic
    ones score steps 2 .. n with the line of the values before each
    (``A = y_1, B = 0`` after one value).
    """
    n = len(y)
    weight = 1.0 - 1.0 / theta
    a_full, b_full = theta_line(y)
    a, b = a_full, b_full
    decay = 1.0  # (1 - alpha)^(t - 1)
    sse = 0.0
    count = 0
    total, moment = 0.0, 0.0  # running sums of y_i and i y_i
    for t in range(1, n + 1):
        if dynamic and t >= 2:
            k = t - 1  # the line of y_1 .. y_k
            mean_y = total / k
            if k >= 2:
                b = (moment - k * (k + 1) / 2.0 * mean_y) / (k * (k * k - 1) / 12.0)
            else:
                b = 0.0
            a = mean_y - b * (k + 1) / 2.0
        fitted = level + weight * (
            decay * a + (1.0 - decay * (1.0 - alpha)) / alpha * b
        )
        if not dynamic or t >= 2:
            err = y[t - 1] - fitted
            sse += err * err
            count += 1
        level = alpha * y[t - 1] + (1.0 - alpha) * level
        decay *= 1.0 - alpha
        total += y[t - 1]
        moment += t * y[t - 1]
    return sse, count, level, a_full, b_full


@maybe_njit
def theta_objective(x: Array, y: Array, ints: Array, floats: Array) -> float:
    """Return the mean squared one-step error.

    ``ints`` is ``[dynamic, optimise_theta]``, ``floats`` ``[theta]`` (the
    fixed theta when it is not optimised).
    """
    alpha, level, theta = theta_decode(x, ints[1], floats[0])
    sse, count, _, _, _ = theta_run(y, alpha, theta, level, ints[0])
    return sse / max(count, 1)


# -- ARIMA ----------------------------------------------------------------------------


@maybe_njit
def from_partial(u: Array) -> Array:
    """Map unconstrained ``u`` to stationary AR coefficients (``1 - sum c B^i``).

    ``r = tanh(u)`` are the partial autocorrelations; Durbin-Levinson gives
    the coefficients.
    """
    p = len(u)
    coef = np.zeros(p)
    work = np.zeros(p)
    for k in range(p):
        r = np.tanh(u[k])
        for j in range(k):
            work[j] = coef[j] - r * coef[k - 1 - j]
        for j in range(k):
            coef[j] = work[j]
        coef[k] = r
    return coef


@maybe_njit
def expand(short: Array, seasonal: Array, m: int, sign: float) -> Array:
    """Multiply ``(1 + sign sum short_i B^i)(1 + sign sum seasonal_k B^(m k))``.

    Returns the coefficients ``c`` of ``1 + sign sum c_j B^j`` (``sign``
    -1 for AR polynomials, +1 for MA ones).
    """
    p, big = len(short), len(seasonal)
    out = np.zeros(p + m * big)
    full_a = np.zeros(p + 1)
    full_a[0] = 1.0
    for i in range(p):
        full_a[i + 1] = sign * short[i]
    full_b = np.zeros(m * big + 1)
    full_b[0] = 1.0
    for k in range(big):
        full_b[m * (k + 1)] = sign * seasonal[k]
    for i in range(p + 1):
        for j in range(m * big + 1):
            if i + j > 0:
                out[i + j - 1] += full_a[i] * full_b[j]
    return out * sign


@maybe_njit
def arima_unpack(x: Array, ints: Array, mean: float) -> tuple[Array, Array, float]:
    """Return the expanded ``(a, b, mu)`` of the free vector ``x``."""
    p, q, sp, sq, m, constant = ints[0], ints[1], ints[2], ints[3], ints[4], ints[5]
    k = 0
    ar = from_partial(x[k : k + p])
    k += p
    sar = from_partial(x[k : k + sp])
    k += sp
    ma = -from_partial(x[k : k + q])  # 1 + sum b B^j invertible
    k += q
    sma = -from_partial(x[k : k + sq])
    k += sq
    mu = x[k] if constant else mean
    a = expand(ar, sar, m, -1.0)
    b = expand(ma, sma, m, 1.0)
    return a, b, mu


@maybe_njit
def arima_residuals(w: Array, a: Array, b: Array, mu: float) -> tuple[Array, int]:
    """Return the conditional arima_residuals of ``w`` and the first step scored.

    Conditional on the first ``len(a)`` values, with zero arima_residuals before.
    """
    n, start = len(w), len(a)
    e = np.zeros(n)
    for t in range(start, n):
        value = w[t] - mu
        for i in range(len(a)):
            value -= a[i] * (w[t - 1 - i] - mu)
        for j in range(min(len(b), t)):
            value -= b[j] * e[t - 1 - j]
        e[t] = value
    return e, start


@maybe_njit
def css_objective(x: Array, y: Array, ints: Array, floats: Array) -> float:
    """Return the conditional sum of squares per scored step (``floats[0]``: mean)."""
    a, b, mu = arima_unpack(x, ints, floats[0])
    e, start = arima_residuals(y, a, b, mu)
    count = len(y) - start
    if count <= 0:
        return np.inf
    total = 0.0
    for t in range(start, len(y)):
        total += e[t] * e[t]
    return total / count


# -- the optimiser --------------------------------------------------------------------


@maybe_njit
def _value(kind: int, x: Array, y: Array, ints: Array, floats: Array) -> float:
    if kind == ETS:
        v = ets_objective(x, y, ints, floats)
    elif kind == THETA:
        v = theta_objective(x, y, ints, floats)
    elif kind == ARIMA:
        v = css_objective(x, y, ints, floats)
    else:
        v = _sphere(x, y, ints, floats)
    if not np.isfinite(v):
        return _BIG
    return float(v)


@maybe_njit
def _sphere(x: Array, y: Array, ints: Array, floats: Array) -> float:
    """Return the squared distance of ``x`` from ``y`` (a test objective, kind -1)."""
    total = 0.0
    for j in range(len(x)):
        total += (x[j] - y[j]) ** 2
    return total


@maybe_njit
def nelder_mead(
    kind: int,
    x0: Array,
    step: Array,
    y: Array,
    ints: Array,
    floats: Array,
    max_evals: int,
    tol: float,
) -> tuple[Array, float, int]:
    """Minimise objective ``kind`` from ``x0``; return ``(x, f(x), evaluations)``.

    The simplex starts at ``x0`` and ``x0 + step[i] e_i``; reflection,
    expansion, contraction and shrink use the dimension-adaptive
    coefficients of Gao and Han (2012), which keep the method making
    progress past a handful of dimensions. It stops after ``max_evals``
    evaluations, or when the spread of the simplex's values is within
    ``tol`` (relative to the best value; the test of R's ``optim``).

    Examples
    --------
    >>> target = np.array([3.0, -1.0])  # kind -1: the squared distance
    >>> none = np.zeros(0)
    >>> x, fx, _ = nelder_mead(-1, np.zeros(2), np.ones(2), target,
    ...                        none.astype(np.int64), none, 2000, 1e-12)
    >>> np.round(x, 4).tolist()
    [3.0, -1.0]

    References
    ----------
    .. [1] J. A. Nelder, R. Mead, "A simplex method for function
       minimization", The Computer Journal 7(4), 1965.
    .. [2] F. Gao, L. Han, "Implementing the Nelder-Mead simplex algorithm
       with adaptive parameters", Computational Optimization and
       Applications 51, 2012.
    """
    n = len(x0)
    reflect, expand = 1.0, 1.0 + 2.0 / n
    contract, shrink = 0.75 - 0.5 / n, 1.0 - 1.0 / n
    simplex = np.empty((n + 1, n))
    values = np.empty(n + 1)
    for i in range(n + 1):
        simplex[i] = x0
        if i > 0:
            simplex[i, i - 1] += step[i - 1]
        values[i] = _value(kind, simplex[i], y, ints, floats)
    evals = n + 1
    centroid = np.empty(n)
    while evals < max_evals:
        order = np.argsort(values)
        simplex = simplex[order]
        values = values[order]
        if values[n] - values[0] <= tol * (abs(values[0]) + tol):
            break
        for j in range(n):
            centroid[j] = simplex[:n, j].mean()
        worst = simplex[n]
        xr = centroid + reflect * (centroid - worst)
        fr = _value(kind, xr, y, ints, floats)
        evals += 1
        if fr < values[0]:
            xe = centroid + expand * (xr - centroid)
            fe = _value(kind, xe, y, ints, floats)
            evals += 1
            if fe < fr:
                simplex[n], values[n] = xe, fe
            else:
                simplex[n], values[n] = xr, fr
            continue
        if fr < values[n - 1]:
            simplex[n], values[n] = xr, fr
            continue
        if fr < values[n]:  # outside contraction
            xc = centroid + contract * (xr - centroid)
        else:  # inside contraction
            xc = centroid - contract * (centroid - worst)
        fc = _value(kind, xc, y, ints, floats)
        evals += 1
        if fc < min(fr, values[n]):
            simplex[n], values[n] = xc, fc
            continue
        for i in range(1, n + 1):  # shrink towards the best point
            simplex[i] = simplex[0] + shrink * (simplex[i] - simplex[0])
            values[i] = _value(kind, simplex[i], y, ints, floats)
        evals += n
    best = int(np.argmin(values))
    return simplex[best].copy(), float(values[best]), evals
