"""Monte Carlo stress test of a risk-compensation pool: pure numpy, no Django (testable and benchmarkable
alone).

Model (one-factor Gaussian copula, the Basel/Vasicek model):
  each loan i has an annual default probability ``pd_i`` (from its five-category class), a loss given default
  ``lgd_i``, an exposure ``e_i`` (outstanding principal) and the pool's share ``g_i`` of a loss (e.g. 0.70),
  capped per loan at ``cap_per_loan``: the pool pays ``w_i = min(e_i · lgd_i · g_i, cap)`` if it defaults.
  In scenario s, loan i's latent variable is X = √ρ·Z_s + √(1−ρ)·ε_is (Z_s shared by all loans: the economy).
  It defaults within h years when X < Φ⁻¹(1 − (1 − pd_i)^h). One draw serves every horizon, so a loan that
  defaults within 1 year has also defaulted within 3 (the horizons are consistent scenario by scenario).
  Payout_s(h) = Σ_i w_i · 1[default within h]; the pool is exhausted when the payout exceeds its balance.

Scenarios run in chunks (memory ∝ chunk × loans, float32), each chunk with its own generator spawned from
the seed, so a run is reproducible for the same (seed, chunk size). Floats live only here: results are
statistics, never booked money.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DEFAULT_PD = {"normal": 0.01, "special_mention": 0.05, "substandard": 0.25, "doubtful": 0.60, "loss": 1.0}
DEFAULT_LGD = 0.6
PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)


def norm_ppf(p: np.ndarray) -> np.ndarray:
    """Inverse standard normal CDF (Acklam's rational approximation, |relative error| < 1.2e-9).

    ±inf at 0 and 1.
    """
    p = np.asarray(p, dtype=np.float64)
    a = (
        -3.969683028665376e01,
        2.209460984245205e02,
        -2.759285104469687e02,
        1.383577518672690e02,
        -3.066479806614716e01,
        2.506628277459239e00,
    )
    b = (
        -5.447609879822406e01,
        1.615858368580409e02,
        -1.556989798598866e02,
        6.680131188771972e01,
        -1.328068155288572e01,
    )
    c = (
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e00,
        -2.549732539343734e00,
        4.374664141464968e00,
        2.938163982698783e00,
    )
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    out = np.empty_like(p)
    lo, hi = 0.02425, 1 - 0.02425
    with np.errstate(divide="ignore", invalid="ignore"):
        m = p < lo
        q = np.sqrt(-2 * np.log(p[m]))
        out[m] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
        m = (p >= lo) & (p <= hi)
        q = p[m] - 0.5
        r = q * q
        out[m] = (
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
            * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        )
        m = p > hi
        q = np.sqrt(-2 * np.log1p(-p[m]))
        out[m] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1
        )
    out[p <= 0] = -np.inf
    out[p >= 1] = np.inf
    return out


@dataclass
class StressResult:
    horizons: tuple[int, ...]
    scenarios: int
    loans: int
    balance: float
    exhaustion_probability: dict[int, float]
    mean: dict[int, float]
    percentiles: dict[int, dict[float, float]]
    expected_shortfall_99: dict[int, float]
    expected_defaults: dict[int, float]
    payouts: dict[int, np.ndarray] = field(repr=False)  # one payout per scenario (float64)

    def table(self) -> list[dict]:
        rows = []
        for h in self.horizons:
            rows.append(
                {
                    "horizon": h,
                    "exhaustion_probability": self.exhaustion_probability[h],
                    "mean": self.mean[h],
                    **{f"p{p:g}".replace(".", "_"): v for p, v in self.percentiles[h].items()},
                    "es99": self.expected_shortfall_99[h],
                    "expected_defaults": self.expected_defaults[h],
                }
            )
        return rows


def loan_weights(exposure, lgd, gov_share, cap_per_loan: float | None = None) -> np.ndarray:
    """What the pool pays if each loan defaults: exposure × LGD × pool share, capped per loan."""
    w = (
        np.asarray(exposure, dtype=np.float64)
        * np.asarray(lgd, dtype=np.float64)
        * np.asarray(gov_share, dtype=np.float64)
    )
    if cap_per_loan is not None:
        w = np.minimum(w, cap_per_loan)
    return w


def thresholds(pd_annual, horizons) -> np.ndarray:
    """Φ⁻¹ of the cumulative default probability per horizon: shape (len(horizons), loans)."""
    pd_annual = np.clip(np.asarray(pd_annual, dtype=np.float64), 0.0, 1.0)
    return np.stack([norm_ppf(1.0 - (1.0 - pd_annual) ** h) for h in horizons])


def simulate(
    *,
    exposure,
    pd_annual,
    lgd,
    gov_share,
    balance: float,
    scenarios: int = 10_000,
    horizons=(1, 3),
    rho: float = 0.15,
    seed: int = 20241121,
    chunk: int | None = None,
    cap_per_loan: float | None = None,
) -> StressResult:
    """Run the Monte Carlo; every argument per loan may be an array or a scalar broadcast to the loans."""
    exposure = np.asarray(exposure, dtype=np.float64)
    n = exposure.shape[0]
    if n == 0 or scenarios <= 0:
        raise ValueError("need at least one loan and one scenario")
    if not 0.0 <= rho < 1.0:
        raise ValueError("rho must be in [0, 1)")
    lgd = np.broadcast_to(np.asarray(lgd, dtype=np.float64), (n,))
    gov_share = np.broadcast_to(np.asarray(gov_share, dtype=np.float64), (n,))
    pd_annual = np.broadcast_to(np.asarray(pd_annual, dtype=np.float64), (n,))
    horizons = tuple(int(h) for h in horizons)
    w = loan_weights(exposure, lgd, gov_share, cap_per_loan).astype(np.float32)
    t = thresholds(pd_annual, horizons).astype(np.float32)
    a, b = np.float32(np.sqrt(rho)), np.float32(np.sqrt(1.0 - rho))
    if chunk is None:  # about 64 MB of float32 draws per chunk
        chunk = max(1, min(scenarios, 16_000_000 // n))
    payouts = {h: np.empty(scenarios, dtype=np.float64) for h in horizons}
    defaults = {h: np.empty(scenarios, dtype=np.float64) for h in horizons}
    children = np.random.SeedSequence(seed).spawn((scenarios + chunk - 1) // chunk)
    x = np.empty((chunk, n), dtype=np.float32)
    hit = np.empty((chunk, n), dtype=bool)
    for k, start in enumerate(range(0, scenarios, chunk)):
        m = min(chunk, scenarios - start)
        rng = np.random.default_rng(children[k])
        z = rng.standard_normal(m, dtype=np.float32)
        xs, hs = x[:m], hit[:m]
        rng.standard_normal(dtype=np.float32, out=xs)
        xs *= b
        xs += (a * z)[:, None]
        for i, h in enumerate(horizons):
            np.less(xs, t[i], out=hs)
            payouts[h][start : start + m] = hs.astype(np.float32) @ w
            defaults[h][start : start + m] = hs.sum(axis=1)
    return summarise(payouts, balance=balance, loans=n, defaults=defaults)


def summarise(
    payouts: dict[int, np.ndarray],
    *,
    balance: float,
    loans: int,
    defaults: dict[int, np.ndarray] | None = None,
) -> StressResult:
    horizons = tuple(payouts)
    pct, es, mean, exh, dflt = {}, {}, {}, {}, {}
    for h, p in payouts.items():
        pct[h] = dict(zip(PERCENTILES, (float(v) for v in np.percentile(p, PERCENTILES)), strict=True))
        tail = np.sort(p)[int(np.floor(0.99 * p.size)) :]
        es[h] = float(tail.mean()) if tail.size else float(p.max())
        mean[h] = float(p.mean())
        exh[h] = float((p > balance).mean())
        dflt[h] = float(defaults[h].mean()) if defaults is not None else float("nan")
    scenarios = next(iter(payouts.values())).size
    return StressResult(
        horizons=horizons,
        scenarios=scenarios,
        loans=loans,
        balance=float(balance),
        exhaustion_probability=exh,
        mean=mean,
        percentiles=pct,
        expected_shortfall_99=es,
        expected_defaults=dflt,
        payouts=payouts,
    )


def pd_for_classes(classes, table: dict[str, float] | None = None) -> np.ndarray:
    """Annual default probability per loan from its five-category class (unknown classes count as normal)."""
    table = {**DEFAULT_PD, **(table or {})}
    return np.array([table.get(c, table["normal"]) for c in classes], dtype=np.float64)
