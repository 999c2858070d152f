"""Risk-compensation pools: 10,000 claims against 100 pools through the services on PostgreSQL, and the Monte
Carlo stress test (100,000 loans × 10,000 scenarios) beside plain numpy on the same draws.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kejin_pool_bench .venv/bin/python -m bench.pool
        [--claims 10000] [--pools 100] [--stress-loans 100000] [--scenarios 10000] [--skip-db] [--skip-stress]

The database is migrated; runs add new pools each time (ledger rows are append-only): use a scratch database.
"""
from __future__ import annotations

import argparse
import os
import platform
import time
from decimal import Decimal


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_db(n_claims: int, n_pools: int) -> dict:
    import datetime as dt

    from django.db import connection
    from djmoney.money import Money

    from bench.synth import synthetic_pool_book
    from finance.ledger.selectors import account_balance, trial_balance
    from finance.parties.demo_codes import demo_uscc
    from finance.parties.models import Organisation, OrgKind, Role, User
    from finance.parties.services import organisation_create, user_create
    from finance.policy.services import parameter_set
    from guarantees import services
    from guarantees.models import Claim, ClaimStatus, RiskPool
    from loans.models import Loan

    assert connection.vendor == "postgresql", "run against PostgreSQL (DATABASE_URL)"
    tag = time.strftime("%Y%m%d%H%M%S")
    from finance.core.inputs import today as shanghai_today

    today = shanghai_today()
    book = synthetic_pool_book(n_claims, n_pools, seed=5)
    n_banks = int(book["bank"].max()) + 1

    def org(kind, serial, name, **kw):
        code = demo_uscc(kind, serial) if kind != OrgKind.DEPARTMENT else None
        found = Organisation.objects.filter(uscc=code).first() if code else None
        return found or organisation_create(kind=kind, name=name, uscc=code, **kw)

    def user(o, username, role):
        return User.objects.filter(username=username).first() or user_create(
            organisation=o, username=username, roles=[role], password="Bench-password-1")[0]

    province = org(OrgKind.DEPARTMENT, 0, f"基准省厅 {tag}", dept_level="province")
    reviewer = user(province, f"bench-reviewer-{tag}", Role.DEPARTMENT_REVIEWER)
    # Four eyes: a second approver for claims the pool pays ≥ 1,000,000, and a payer who approved nothing.
    reviewer2 = user(province, f"bench-reviewer2-{tag}", Role.DEPARTMENT_REVIEWER)
    payer = user(province, f"bench-payer-{tag}", Role.DEPARTMENT_REVIEWER)
    banks = [org(OrgKind.BANK, 880_000 + i, f"基准银行{i}") for i in range(n_banks)]
    officers = [user(b, f"bench-pool-bank-{i}", Role.BANK_OFFICER) for i, b in enumerate(banks)]
    borrower = org(OrgKind.ENTERPRISE, 880_999, "基准科技企业", tech_sme_number="2025370BENCH")

    t0 = time.perf_counter()
    pools = []
    for p in range(n_pools):
        city = org(OrgKind.DEPARTMENT, 0, f"基准市局 {tag}-{p}", dept_level="city")
        pool = services.pool_create(name=f"基准资金池 {tag}-{p}", sponsors=[(province, "province", Decimal(50)),
                                                                         (city, "city", Decimal(50))])
        for key, value in (("pool.cap_per_loan", 5_000_000), ("pool.cap_per_bank", 10**10), ("pool.cap_per_year", 10**11),
                           ("pool.npl_suspension_ratio", 100), ("pool.rd_credit.province_share", 45),
                           ("pool.rd_credit.city_share", 45)):
            parameter_set(key=key, value=Decimal(value), effective_from=dt.date(2017, 12, 1), scope=pool.scope)
        # Enough for about 85 % of its claims: the rest are refused for insufficient balance.
        need = Decimal(str(round(float(book["loss"][book["pool"] == p].sum()) * 0.75 * 0.85 / 2, 2)))
        services.pool_contribute(pool=pool, sponsor=province, amount=need)
        services.pool_contribute(pool=pool, sponsor=city, amount=need)
        pools.append(pool)
    t_pools = time.perf_counter() - t0

    # Loans are the loans app's rows: written here in bulk as the bench fixture, not through guarantees.
    t0 = time.perf_counter()
    loans = Loan.objects.bulk_create([Loan(
        bank=banks[book["bank"][i]], borrower=borrower, external_ref=f"POOL-{tag}-{i:06d}",
        principal=Money(Decimal(f"{book['principal'][i]:.2f}"), "CNY"), annual_rate=Decimal("3.85"), term_months=24,
        repayment_method="equal_installment", disbursed_on=today - dt.timedelta(days=30),
        maturity_on=today + dt.timedelta(days=700), status="active",
        principal_outstanding=Decimal(f"{book['principal'][i]:.2f}"), submitted_by=officers[book["bank"][i]])
        for i in range(n_claims)], batch_size=2000)
    t_loans = time.perf_counter() - t0

    t0 = time.perf_counter()
    for i, loan in enumerate(loans):
        services.enrolment_create(pool=pools[book["pool"][i]], loan=loan, by=officers[book["bank"][i]],
                                  category="rd_credit" if book["rd_credit"][i] else "standard")
    t_enrol = time.perf_counter() - t0
    Loan.objects.filter(pk__in=[ln.pk for ln in loans]).update(status="defaulted", dpd=120, loan_class="substandard")

    from finance.core.errors import DomainError

    t0 = time.perf_counter()
    refused = 0
    for i, loan in enumerate(loans):
        claim = services.claim_file(loan=loan.pk, claimed_loss=Decimal(f"{book['loss'][i]:.2f}"),
                                    by=officers[book["bank"][i]])
        try:
            claim = services.claim_approve(claim=claim, by=reviewer)
            if claim.status == ClaimStatus.SUBMITTED:  # one level of two done
                claim = services.claim_approve(claim=claim, by=reviewer2)
        except DomainError as exc:
            assert exc.code == "insufficient_pool_balance", exc.detail
            refused += 1
            continue
        services.claim_pay(claim=claim, by=payer)
    t_claims = time.perf_counter() - t0

    paid = Claim.objects.filter(pool__in=pools, status=ClaimStatus.PAID).count()
    tb = trial_balance()
    balanced = all(v["D"] == v["C"] for v in tb.values())
    consistent = True
    for pool in RiskPool.objects.filter(pk__in=[p.pk for p in pools]):
        avail = sum((-account_balance(s.available_account) for s in pool.sponsors.all()), Decimal(0))
        consistent &= avail == pool.available >= 0
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {"pools": n_pools, "claims": n_claims, "paid": paid, "refused": refused, "balanced": balanced,
            "consistent": consistent, "t_pools": t_pools, "t_loans": t_loans, "t_enrol": t_enrol,
            "t_claims": t_claims, "postgres": pg}


def plain_numpy(exposure, pd_annual, lgd, gov_share, scenarios, horizons, rho, seed, chunk, cap):
    """The same draws, written the obvious numpy way (float32, one expression per step, no buffers reused)."""
    import numpy as np

    from guarantees.stress import norm_ppf

    n = exposure.size
    w = np.minimum(exposure * lgd * gov_share, cap).astype(np.float32)
    t = [norm_ppf(1 - (1 - pd_annual) ** h).astype(np.float32) for h in horizons]
    out = {h: np.empty(scenarios) for h in horizons}
    children = np.random.SeedSequence(seed).spawn((scenarios + chunk - 1) // chunk)
    for k, start in enumerate(range(0, scenarios, chunk)):
        m = min(chunk, scenarios - start)
        rng = np.random.default_rng(children[k])
        z = rng.standard_normal(m, dtype=np.float32)
        e = rng.standard_normal((m, n), dtype=np.float32)
        x = np.float32(np.sqrt(rho)) * z[:, None] + np.float32(np.sqrt(1 - rho)) * e
        for i, h in enumerate(horizons):
            out[h][start:start + m] = np.where(x < t[i], w, np.float32(0)).sum(axis=1)
    return out


def bench_stress(n_loans: int, scenarios: int) -> dict:
    import numpy as np

    from bench.synth import synthetic_pool_portfolio
    from guarantees.stress import pd_for_classes, simulate

    book = synthetic_pool_portfolio(n_loans, seed=9)
    pd = pd_for_classes(book["classes"])
    kw = dict(exposure=book["exposure"], pd_annual=pd, lgd=0.6, gov_share=book["gov_share"], scenarios=scenarios,
              horizons=(1, 3), rho=0.15, seed=42)
    chunk = max(1, 16_000_000 // n_loans)
    balance = float(np.sum(book["exposure"]) / 10)  # a pool at its 10× leverage limit
    t0 = time.perf_counter()
    res = simulate(**kw, balance=balance, chunk=chunk, cap_per_loan=5e6)
    t_kernel = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = plain_numpy(book["exposure"], pd, 0.6, book["gov_share"], scenarios, (1, 3), 0.15, 42, chunk, 5e6)
    t_plain = time.perf_counter() - t0
    diff = max(float(np.max(np.abs(res.payouts[h] - base[h]) / np.maximum(base[h], 1))) for h in (1, 3))
    return {"loans": n_loans, "scenarios": scenarios, "chunk": chunk, "t_kernel": t_kernel, "t_plain": t_plain,
            "max_rel_diff": diff, "exhaustion": res.exhaustion_probability, "p99": {h: res.percentiles[h][99.0]
                                                                                   for h in (1, 3)},
            "balance": balance}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=10_000)
    ap.add_argument("--pools", type=int, default=100)
    ap.add_argument("--stress-loans", type=int, default=100_000)
    ap.add_argument("--scenarios", type=int, default=10_000)
    ap.add_argument("--skip-db", action="store_true")
    ap.add_argument("--skip-stress", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    if not args.skip_db:
        _setup()
        r = bench_db(args.claims, args.pools)
        print(f"PostgreSQL {r['postgres']}: {r['pools']} pools created and funded in {r['t_pools']:.1f} s; "
              f"{r['claims']} loans bulk-inserted in {r['t_loans']:.1f} s")
        print(f"enrolment_create × {r['claims']}: {r['t_enrol']:.1f} s ({r['claims'] / r['t_enrol']:.0f}/s)")
        print(f"claim_file + claim_approve (+ claim_pay) × {r['claims']}: {r['t_claims']:.1f} s "
              f"({r['claims'] / r['t_claims']:.0f} claims/s); paid {r['paid']}, refused (insufficient) {r['refused']}; "
              f"ledger balanced: {r['balanced']}; pool cache = ledger: {r['consistent']}")
    if not args.skip_stress:
        s = bench_stress(args.stress_loans, args.scenarios)
        print(f"stress: {s['loans']} loans × {s['scenarios']} scenarios × 2 horizons (chunks of {s['chunk']}): "
              f"kernel {s['t_kernel']:.1f} s, plain numpy {s['t_plain']:.1f} s, ratio {s['t_kernel'] / s['t_plain']:.2f}×; "
              f"max relative difference {s['max_rel_diff']:.1e}")
        print(f"  P(exhaustion) 1y {s['exhaustion'][1]:.4f}, 3y {s['exhaustion'][3]:.4f}; P99 payout 1y "
              f"{s['p99'][1]:,.0f}, 3y {s['p99'][3]:,.0f} against a balance of {s['balance']:,.0f}")
