"""The Monte Carlo kernel (guarantees.stress): pure numpy, no database."""
import numpy as np
import pytest

from guarantees.stress import norm_ppf, pd_for_classes, simulate


def test_norm_ppf_known_points():
    got = norm_ppf(np.array([0.5, 0.975, 0.01, 0.999, 1e-10, 0.0, 1.0]))
    expected = [0.0, 1.959963984540054, -2.326347874040841, 3.090232306167813, -6.361340902404056]
    assert np.allclose(got[:5], expected, rtol=1e-8, atol=1e-9)
    assert got[5] == -np.inf and got[6] == np.inf


def test_certain_and_impossible_defaults_are_exact():
    exposure = np.array([1_000_000.0, 2_000_000.0, 500_000.0])
    sure = simulate(exposure=exposure, pd_annual=1.0, lgd=0.5, gov_share=0.7, balance=1_000_000, scenarios=50)
    assert np.all(sure.payouts[1] == 1_225_000.0) and sure.exhaustion_probability[1] == 1.0
    never = simulate(exposure=exposure, pd_annual=0.0, lgd=0.5, gov_share=0.7, balance=1, scenarios=50)
    assert np.all(never.payouts[3] == 0) and never.exhaustion_probability[3] == 0.0


def test_cap_per_loan_bounds_each_payout():
    r = simulate(exposure=[10_000_000.0], pd_annual=1.0, lgd=1.0, gov_share=0.7, balance=0, scenarios=10,
                 cap_per_loan=1_000_000.0)
    assert np.all(r.payouts[1] == 1_000_000.0)


def test_independent_defaults_match_the_probability():
    n = 20_000
    r = simulate(exposure=np.full(n, 100.0), pd_annual=0.02, lgd=1.0, gov_share=1.0, balance=1e12,
                 scenarios=200, rho=0.0, seed=7)
    # 1 year: 2% of 20,000 = 400 defaults; 3 years: 1 − 0.98³ = 5.88% → 1176.
    assert r.expected_defaults[1] == pytest.approx(400, rel=0.02)
    assert r.expected_defaults[3] == pytest.approx(1176.16, rel=0.02)


def test_horizons_are_consistent_and_runs_reproducible():
    rng = np.random.default_rng(1)
    exposure = rng.uniform(1e5, 5e6, 3000)
    pd = pd_for_classes(rng.choice(["normal", "special_mention", "substandard"], 3000))
    kw = dict(exposure=exposure, pd_annual=pd, lgd=0.6, gov_share=0.7, balance=5e7, scenarios=500, seed=11)
    a, b = simulate(**kw, chunk=64), simulate(**kw, chunk=64)
    assert np.array_equal(a.payouts[1], b.payouts[1]) and np.array_equal(a.payouts[3], b.payouts[3])
    assert np.all(a.payouts[3] >= a.payouts[1])  # a default within a year is a default within three
    assert a.exhaustion_probability[3] >= a.exhaustion_probability[1]
    assert a.table()[0]["horizon"] == 1 and set(a.table()[0]) >= {"p99", "p99_9", "es99", "mean"}


def test_correlation_fattens_the_tail_but_not_the_mean():
    kw = dict(exposure=np.full(5000, 1e6), pd_annual=0.03, lgd=0.6, gov_share=0.7, balance=1e8, scenarios=4000,
              seed=3)
    flat, corr = simulate(**kw, rho=0.0), simulate(**kw, rho=0.3)
    assert corr.mean[1] == pytest.approx(flat.mean[1], rel=0.05)
    assert corr.percentiles[1][99.0] > 1.5 * flat.percentiles[1][99.0]
    assert corr.exhaustion_probability[1] > flat.exhaustion_probability[1]


def test_bad_arguments():
    with pytest.raises(ValueError):
        simulate(exposure=[], pd_annual=0.1, lgd=0.5, gov_share=0.7, balance=1)
    with pytest.raises(ValueError):
        simulate(exposure=[1.0], pd_annual=0.1, lgd=0.5, gov_share=0.7, balance=1, rho=1.0)
