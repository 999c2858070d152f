"""Demo data: two pools with per-pool caps, enrolled loans, open and paid claims, a recovery, and guarantees.

Runs after the loans demo (INSTALLED_APPS order) and uses its loans; if there are none it creates a few
through
``loans.services``. Everything goes through this app's services. Idempotent: skips when the demo pools exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from finance.core.errors import DomainError
from finance.core.inputs import today
from finance.parties.models import DeptLevel, Organisation, OrgKind
from finance.policy.models import ParameterValue
from finance.policy.services import parameter_set

from . import loan_reads, services
from .loan_reads import LoanStatus
from .models import Claim, ClaimStatus, Enrolment, RiskPool, SponsorLevel
from .selectors import approval_progress

log = logging.getLogger(__name__)
D = Decimal
POOLS = ("鲁科贷·省市联合风险补偿资金池（济南）", "鲁科贷·省市联合风险补偿资金池（青岛）")
EFFECTIVE = dt.date(2017, 12, 1)
PARAMS = {
    "pool.cap_per_loan": D("3000000"),
    "pool.cap_per_bank": D("30000000"),
    "pool.cap_per_year": D("60000000"),
    "pool.npl_suspension_ratio": D("30"),
    "pool.rd_credit.province_share": D("45"),
    "pool.rd_credit.city_share": D("45"),
    "pool.claim_trigger_dpd": D("30"),
}


def _city(name: str, region: str) -> Organisation:
    org = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, name=name).first()
    return org or Organisation.objects.create(
        kind=OrgKind.DEPARTMENT, name=name, dept_level=DeptLevel.CITY, region=region
    )


def _ensure_loans(world) -> None:
    if loan_reads.demo_loans(statuses=None, limit=1):
        return
    from loans import services as loan_services

    today = loan_services.today()
    for i, startup in enumerate(world.startups[:6]):
        bank = world.banks[i % len(world.banks)]
        loan_services.loan_submit(
            bank=bank,
            by=world.users[f"bank{i % len(world.banks) + 1}"],
            data={
                "external_ref": f"GUAR-DEMO-{i + 1:03d}",
                "borrower_uscc": startup.uscc,
                "borrower_name": startup.name,
                "principal": "2000000.00",
                "currency": "CNY",
                "annual_rate": "3.85",
                "term_months": 24,
                "repayment_method": "equal_installment",
                "disbursed_on": (today - dt.timedelta(days=40)).isoformat(),
                "pledges": [
                    {
                        "ip_kind": "invention_patent",
                        "ip_number": f"2024101{i:05d}",
                        "appraised_value": "10000000.00",
                        "registration_no": f"Y202498{i + 9000:07d}",
                        "registered_on": (today - dt.timedelta(days=41)).isoformat(),
                    }
                ],
            },
        )


def seed(world) -> None:
    if RiskPool.objects.filter(name=POOLS[0]).exists():
        return
    try:
        _ensure_loans(world)
    except Exception:  # noqa: BLE001 - the pools still seed without loans
        log.warning("could not create demo loans for the pools", exc_info=True)
    reviewer, reviewer2 = world.users["reviewer"], world.users["reviewer2"]
    payer = world.users.get("city_reviewer")  # pays: neither filed nor approved (four eyes)
    pools = _demo_pools(world)
    eligible = loan_reads.demo_loans(
        statuses=[LoanStatus.ACTIVE, LoanStatus.OVERDUE, LoanStatus.DEFAULTED], limit=40
    )
    officers = {bank.pk: world.users[f"bank{i}"] for i, bank in enumerate(world.banks, start=1)}
    _demo_enrol(eligible, pools, officers)
    # A few enrolled borrowers stop paying (declared through the loans service), so claims can be shown.
    from loans import services as loan_services

    defaulting = [
        e.loan
        for e in Enrolment.objects.select_related("loan").filter(pool__in=pools).order_by("pk")
        if e.loan.status == LoanStatus.ACTIVE
    ][::4][:3]
    for loan in defaulting:
        try:
            loan_services.loan_default(
                loan=loan,
                declared_on=loan_services.today(),
                reason="企业经营困难，停止还款（演示）",
                by=officers[loan.bank_id],
            )
        except DomainError as exc:
            log.info("demo default skipped: %s", exc.detail)
    claimable = [
        e.loan
        for e in Enrolment.objects.select_related("loan").filter(pool__in=pools)
        if services.claim_triggered(e.loan, PARAMS["pool.claim_trigger_dpd"])
    ]
    for n, loan in enumerate(claimable[:6]):
        _demo_claim(n, loan, officers[loan.bank_id], (reviewer, reviewer2), payer)
    paid = Claim.objects.filter(pool__in=pools, status=ClaimStatus.PAID).first()
    if paid is not None:
        services.recovery_record(
            claim=paid,
            recovered=(paid.claimed_loss * D("0.2")).quantize(D("0.01")),
            costs=D("15000.00"),
            recovered_on=max(paid.paid_on, today()),
            by=officers[paid.bank_id],
        )
    _demo_guarantees(world, officers)


def _demo_pools(world) -> list:
    """Two pools, each with its per-pool caps and both sponsors' money."""
    cities = [world.city, _city("青岛市科学技术局", "青岛")]
    pools = []
    for name, city, funding in zip(POOLS, cities, (D("30000000.00"), D("12000000.00")), strict=True):
        pool = services.pool_create(
            name=name,
            region=city.region,
            by=world.users.get("admin"),
            sponsors=[(world.province, SponsorLevel.PROVINCE, D("50")), (city, SponsorLevel.CITY, D("50"))],
        )
        for key, value in PARAMS.items():
            parameter_set(
                key=key, value=value, effective_from=EFFECTIVE, scope=pool.scope, source_note="demo"
            )
        services.pool_contribute(
            pool=pool, sponsor=world.province, amount=funding, by=world.users.get("admin")
        )
        services.pool_contribute(pool=pool, sponsor=city, amount=funding, by=world.users.get("admin"))
        pools.append(pool)
    return pools


def _demo_enrol(eligible, pools, officers) -> None:
    # Performing loans first (the NPL check looks at the bank's current ratio), enrolled within the deadline.
    for n, loan in enumerate(eligible):
        officer = officers.get(loan.bank_id)
        if officer is None or loan.status == LoanStatus.DEFAULTED:
            continue
        try:
            services.enrolment_create(
                pool=pools[n % 2],
                loan=loan,
                by=officer,
                on=loan.disbursed_on + dt.timedelta(days=20),
                category="rd_credit" if n % 5 == 0 else "standard",
            )
        except DomainError as exc:
            log.info("demo enrolment skipped: %s", exc.detail)


def _demo_claim(n, loan, officer, approvers, payer) -> None:
    """File; approve every level the amount needs (two from 1,000,000); pay one in three by a third person."""
    try:
        claim = services.claim_file(
            loan=loan, claimed_loss=(loan.principal_outstanding * D("0.8")).quantize(D("0.01")), by=officer
        )
        if n % 3 == 2:
            return
        for approver in approvers[: approval_progress(claim)["levels_required"]]:
            claim = services.claim_approve(claim=claim, by=approver, comment="材料齐全 documents complete")
        if n % 3 == 0 and payer is not None:
            services.claim_pay(claim=claim, by=payer)
    except DomainError as exc:
        log.info("demo claim skipped: %s", exc.detail)


def _demo_guarantees(world, officers) -> None:
    """The guarantor reports its net assets, proposes guarantees naming the bank; the banks confirm."""
    guarantor = world.users.get("guarantor")
    if guarantor is None:
        return
    services.guarantor_net_assets_record(
        net_assets=D("200000000.00"), as_of=today() - dt.timedelta(days=60), by=guarantor
    )
    # The guarantor's and re-guarantor's risk shares have no published figure (domain.md), ship empty (which
    # blocks payouts); the demo world sets demo values (40 / 20 %) so the payout journey can be walked.
    for key, value in (("guarantee.share.guarantor", D("40")), ("guarantee.share.reguarantor", D("20"))):
        if not ParameterValue.objects.filter(parameter__key=key, scope="").exists():
            parameter_set(key=key, value=value, effective_from=EFFECTIVE, source_note="演示数据 demo value")
    for n, loan in enumerate(loan_reads.demo_loans(statuses=[LoanStatus.ACTIVE], limit=4, tech_sme=False)):
        try:
            g = services.guarantee_register(
                loan=loan,
                bank=loan.bank_id,
                amount=loan.principal.amount,
                fee_rate=D("0.5") - D("0.1") * (n % 2),
                counter_guarantee=["ip", "none", "licence", "ip"][n],
                start_on=loan.disbursed_on,
                end_on=loan.maturity_on,
                by=guarantor,
            )
            if n % 2 == 0 and loan.bank_id in officers:
                services.guarantee_confirm(guarantee=g, by=officers[loan.bank_id])
        except DomainError as exc:
            log.info("demo guarantee skipped: %s", exc.detail)
