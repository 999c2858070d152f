"""Demo data: a few hundred loans across the demo banks (IP-pledge loans with CNIPA-registered pledges and
some unsecured early-stage R&D credit loans), with repayment histories, some overdue and a few defaulted,
three subsidy schemes and a subsidy application. Idempotent (skips when the demo loans exist).

Every loan goes through the one registration path (``services.register_loans``, as a bank file does). Only
borrowers that stopped paying are declared in default, so a defaulted loan is always past due and classed at
least substandard (the classification keeps that floor for every defaulted loan).
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from finance.calc.identifiers import patent_check_char
from finance.parties.demo_codes import demo_uscc
from finance.policy.selectors import PolicyHistory

from . import services
from .models import InstallmentStatus, Loan, LoanStatus, SubsidyKind, SubsidyScheme

LOANS_PER_BANK = 100
PREFIX = "DEMO-"
SCHEMES = (("ip-2023", "2023 知识产权质押贷款贴息（实付利息40%）", SubsidyKind.PAID_INTEREST),
           ("ip-benchmark", "知识产权质押贴息（基准利率）", SubsidyKind.BENCHMARK),
           ("appraisal-fee", "知识产权评估费补贴", SubsidyKind.APPRAISAL_FEE))


def _patent(serial: int) -> str:
    digits = f"2019{1 if serial % 3 else 2}{serial:07d}"
    return f"{digits}.{patent_check_char(digits)}"


def _months_back(today: dt.date, months: int) -> dt.date:
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(y, m + 1, min(today.day, 28))


def _body(rng, serial: int, ref: str, borrower: tuple[str, str], today: dt.date) -> dict:
    uscc, name = borrower
    term = rng.choice([12, 24, 36])
    disbursed = _months_back(today, rng.randint(1, min(term + 6, 30)))
    kind = "invention_patent" if serial % 3 else "utility_model"
    appraised = Decimal(rng.randrange(2_000_000, 20_000_000, 100_000))
    cap = Decimal("0.25") if kind == "invention_patent" else Decimal("0.15")
    principal = (appraised * cap * Decimal(rng.choice([6, 8, 10])) / 10).quantize(Decimal("1000"))
    body = {"external_ref": ref, "borrower_uscc": uscc, "borrower_name": name, "principal": f"{principal}.00",
            "currency": "CNY", "annual_rate": rng.choice(["3.45", "3.85", "4.35"]), "term_months": term,
            "repayment_method": rng.choice(["equal_installment", "equal_principal", "interest_only"]),
            "disbursed_on": disbursed.isoformat()}
    if serial % 10 == 0:  # an early-stage R&D credit loan: unsecured
        return {**body, "category": "rd_credit"}
    registered = disbursed - dt.timedelta(days=7)
    return {**body, "pledges": [{
        "ip_kind": kind, "ip_number": _patent(serial), "appraised_value": f"{appraised}.00",
        "registration_no": f"Y{registered.year}98{serial:07d}", "registered_on": registered.isoformat()}]}


def _history(rng, bank, officer, today: dt.date) -> None:
    """Most pay on time; some stop paying a few months ago; a few of those are declared in default."""
    for loan in Loan.objects.filter(bank=bank, external_ref__startswith=PREFIX).order_by("pk"):
        fate = rng.random()
        due = list(loan.installments.filter(due_date__lte=today).order_by("number"))
        if fate < 0.12 and len(due) > 2:
            due = due[: len(due) - rng.randint(2, min(len(due), 14))]
        for inst in due:
            services.repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=officer)
        loan.refresh_from_db()
        unpaid = loan.installments.filter(due_date__lt=today).exclude(status=InstallmentStatus.PAID)
        in_arrears = unpaid.exists()
        if fate < 0.04 and in_arrears and loan.status == LoanStatus.ACTIVE:
            services.loan_default(loan=loan, declared_on=today, reason="企业停产，无力还款（演示）",
                                  by=officer)


def seed(world) -> None:
    for code, name, kind in SCHEMES:
        SubsidyScheme.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    if Loan.objects.filter(external_ref__startswith=PREFIX).exists():
        return
    rng = random.Random(20251121)
    today = services.today()
    history = PolicyHistory()
    borrowers = [(o.uscc, o.name) for o in world.startups] + [
        (demo_uscc("enterprise", 700 + i), f"山东示范科技{i:03d}有限公司") for i in range(1, 120)]
    serial = 0
    for b, bank in enumerate(world.banks, start=1):
        officer = world.users.get(f"bank{b}")
        items = []
        for i in range(getattr(world, "loans_per_bank", None) or LOANS_PER_BANK):
            serial += 1
            borrower = borrowers[0] if (b == 1 and i < 2) else rng.choice(borrowers)
            data = services.loan_input(_body(rng, serial, f"{PREFIX}{b}-{i + 1:04d}", borrower, today))
            use = history.use(data.disbursed_on)
            services.loan_rules_check(data, use, as_of=today)
            items.append(services.Item(i + 2, data, use.snapshot))
        services.register_loans(items, bank=bank, by=officer, reason="demo data / 演示数据")
        _history(rng, bank, officer, today)
    services.loans_classify(as_of=today)
    _subsidy_application(world, today)


def _subsidy_application(world, today: dt.date) -> None:
    founder = world.users.get("startup")
    mine = Loan.objects.filter(borrower=world.startups[0], status__in=[LoanStatus.ACTIVE, LoanStatus.REPAID],
                               repayments__isnull=False).distinct().first()
    if founder is not None and mine is not None:
        try:
            services.subsidy_apply(scheme=SubsidyScheme.objects.get(code="ip-2023"), loan=mine, by=founder,
                                   on=today)
        except Exception:  # noqa: BLE001 - a demo application is a nicety, never a reason to fail the seed
            pass
