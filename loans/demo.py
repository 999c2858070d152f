"""Demo data: a few hundred IP-pledge loans across the demo banks, with repayment histories, some overdue and
some defaulted, three subsidy schemes and a subsidy application. Idempotent (skips when the demo loans exist)."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from finance.calc.identifiers import patent_check_char
from finance.parties.demo_codes import demo_uscc

from . import files, services
from .models import Loan, LoanStatus, SubsidyKind, SubsidyScheme

LOANS_PER_BANK = 100
PREFIX = "DEMO-"


def _patent(serial: int) -> str:
    digits = f"2019{1 if serial % 3 else 2}{serial:07d}"
    return f"{digits}.{patent_check_char(digits)}"


def _months_back(today: dt.date, months: int) -> dt.date:
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(y, m + 1, min(today.day, 28))


def seed(world) -> None:
    for code, name, kind in (("ip-2023", "2023 知识产权质押贷款贴息（实付利息40%）", SubsidyKind.PAID_INTEREST),
                             ("ip-benchmark", "知识产权质押贴息（基准利率）", SubsidyKind.BENCHMARK),
                             ("appraisal-fee", "知识产权评估费补贴", SubsidyKind.APPRAISAL_FEE)):
        SubsidyScheme.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    if Loan.objects.filter(external_ref__startswith=PREFIX).exists():
        return
    rng = random.Random(20251121)
    today = services.today()
    cache = services.PolicyCache()
    borrowers = [(o.uscc, o.name) for o in world.startups] + [
        (demo_uscc("enterprise", 700 + i), f"山东示范科技{i:03d}有限公司") for i in range(1, 120)]
    serial = 0
    for b, bank in enumerate(world.banks, start=1):
        officer = world.users.get(f"bank{b}")
        items = []
        for i in range(LOANS_PER_BANK):
            serial += 1
            uscc, name = borrowers[0] if (b == 1 and i < 2) else rng.choice(borrowers)
            term = rng.choice([12, 24, 36])
            disbursed = _months_back(today, rng.randint(1, min(term + 6, 30)))
            kind = "invention_patent" if serial % 3 else "utility_model"
            appraised = Decimal(rng.randrange(2_000_000, 20_000_000, 100_000))
            cap = Decimal("0.25") if kind == "invention_patent" else Decimal("0.15")
            principal = (appraised * cap * Decimal(rng.choice([6, 8, 10])) / 10).quantize(Decimal("1000"))
            data = services.loan_input({
                "external_ref": f"{PREFIX}{b}-{i + 1:04d}", "borrower_uscc": uscc, "borrower_name": name,
                "principal": f"{principal}.00", "currency": "CNY", "annual_rate": rng.choice(["3.45", "3.85", "4.35"]),
                "term_months": term, "repayment_method": rng.choice(["equal_installment", "equal_principal",
                                                                     "interest_only"]),
                "disbursed_on": disbursed.isoformat(),
                "pledges": [{"ip_kind": kind, "ip_number": _patent(serial), "appraised_value": f"{appraised}.00",
                             "registration_no": f"Y{disbursed.year}37{serial:06d}"}]})
            use = cache.use(data.disbursed_on)
            services.loan_rules_check(data, use, as_of=today)
            items.append((i + 2, data, use.snapshot))
        files.store(files.Prepared(items, [], []), bank=bank, by=officer, loan_file=None)
        # Repayment histories: most pay on time, some stop paying a few months ago, a few default.
        for loan in Loan.objects.filter(bank=bank, external_ref__startswith=PREFIX).order_by("pk"):
            fate = rng.random()
            due = list(loan.installments.filter(due_date__lte=today).order_by("number"))
            if fate < 0.12 and len(due) > 2:
                due = due[: len(due) - rng.randint(2, min(len(due), 14))]
            for inst in due:
                services.repayment_record(loan=loan, paid_on=inst.due_date, amount=inst.payment, by=officer,
                                          as_of=today)
            loan.refresh_from_db()
            if fate < 0.04 and loan.status == LoanStatus.ACTIVE and due != []:
                services.loan_default(loan=loan, declared_on=today, reason="企业停产，无力还款（演示）", by=officer,
                                      as_of=today)
    services.loans_classify(as_of=today)
    founder = world.users.get("startup")
    mine = Loan.objects.filter(borrower=world.startups[0], status__in=[LoanStatus.ACTIVE, LoanStatus.REPAID],
                               repayments__isnull=False).distinct().first()
    if founder is not None and mine is not None:
        try:
            services.subsidy_apply(scheme=SubsidyScheme.objects.get(code="ip-2023"), loan=mine, by=founder, on=today)
        except Exception:  # noqa: BLE001 - a demo application is a nicety, never a reason to fail the seed
            pass
