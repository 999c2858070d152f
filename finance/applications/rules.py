"""What each instrument's application holds, and who may act on it: one place for the per-instrument field
lists, the documents each instrument needs, what the programme, scheme and loan fields may point to, and the
reviewer rules the services, forms, pre-check and pages share."""
from __future__ import annotations

from finance.parties.models import OrgKind, Role

from .models import EQUITY_INSTRUMENTS, Instrument

INS = Instrument

#: The typed fields each instrument's form shows, in order.
FIELDS: dict[str, tuple[str, ...]] = {
    INS.TALENT_EQUITY: ("title", "programme", "amount", "price_per_share", "founded_on", "own_ip_count",
                      "founders_cash", "talent_team_leads", "registered_in_shandong"),
    INS.INVEST_FIRST: ("title", "programme", "amount", "disbursement_due_on", "discount", "valuation_cap"),
    INS.GRANT_INVEST_LOAN: ("title", "programme", "grant_amount", "equity_kind", "equity_amount",
                          "price_per_share"),
    INS.INTEREST_SUBSIDY: ("title", "scheme", "loan", "loan_year"),
    INS.APPRAISAL_FEE_SUBSIDY: ("title", "scheme", "loan", "appraisal_fee"),
    INS.FINANCING_NEED: ("title", "amount", "term_months", "ip_offered", "purpose"),
}

#: Fields a submission needs (a draft may leave them empty).
REQUIRED: dict[str, tuple[str, ...]] = {
    INS.TALENT_EQUITY: ("title", "programme", "amount", "price_per_share", "founded_on", "own_ip_count",
                      "founders_cash"),
    INS.INVEST_FIRST: ("title", "programme", "amount", "disbursement_due_on"),
    INS.GRANT_INVEST_LOAN: ("title", "programme"),
    INS.INTEREST_SUBSIDY: ("title", "scheme", "loan"),
    INS.APPRAISAL_FEE_SUBSIDY: ("title", "scheme", "loan", "appraisal_fee"),
    INS.FINANCING_NEED: ("title", "amount", "term_months", "ip_offered"),
}

#: Documents (portal document kinds) each instrument's submission needs: the checklist.
DOCUMENTS: dict[str, tuple[str, ...]] = {
    INS.TALENT_EQUITY: ("business_licence", "business_plan", "ip_certificate"),
    INS.INVEST_FIRST: ("business_licence", "business_plan", "financial_statements"),
    INS.GRANT_INVEST_LOAN: ("business_licence", "business_plan", "financial_statements"),
    INS.INTEREST_SUBSIDY: ("business_licence",),
    INS.APPRAISAL_FEE_SUBSIDY: ("business_licence",),
    INS.FINANCING_NEED: ("business_licence", "ip_certificate"),
}

ENTERPRISE_KINDS = (OrgKind.ENTERPRISE, OrgKind.UNIVERSITY)


#: Roles that write an enterprise's applications: the applicant and the organisation's administrator.
ENTERPRISE_WRITER_ROLES: tuple[str, ...] = (Role.APPLICANT, Role.ORG_ADMIN)
#: Workbench users: department reviewers and fund managers.
REVIEWER_ROLES: tuple[str, ...] = (Role.DEPARTMENT_REVIEWER, Role.FUND_MANAGER)


def enterprise_writer_roles() -> tuple[str, ...]:
    return ENTERPRISE_WRITER_ROLES


def is_enterprise_user(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id and user.organisation.kind in ENTERPRISE_KINDS)


def may_write(user, application) -> bool:
    return (is_enterprise_user(user) and user.organisation_id == application.enterprise_id
            and user.has_role(*enterprise_writer_roles()))


def is_reviewer(user) -> bool:
    """Workbench users: department reviewers and fund managers."""
    return bool(user.is_authenticated and hasattr(user, "has_role") and user.has_role(*REVIEWER_ROLES))


def manages_programme(user, application) -> bool:
    """A fund manager of the organisation that manages the application's programme: the one who reviews an
    equity application and recommends it to the committee."""
    return bool(user.has_role(Role.FUND_MANAGER) and application.programme_id
                and application.programme.manager_id == user.organisation_id)


def may_review(user, application) -> bool:
    """Department reviewers review every instrument but the financing need (the banks answer those); a fund
    manager reviews the equity applications to the programmes its organisation manages."""
    if application.instrument == Instrument.FINANCING_NEED:
        return False
    if user.has_role(Role.DEPARTMENT_REVIEWER):
        return True
    return application.instrument in EQUITY_INSTRUMENTS and manages_programme(user, application)


# ---------------------------------------------------------------- what a field may point to
# One rule each for the form's options, the field's parser and the pre-check.


def programme_takes(programme, instrument: str) -> bool:
    """A programme takes an application while it is active and lists the instrument among its kinds."""
    from funds.direct.models import ProgrammeStatus

    return programme.status == ProgrammeStatus.ACTIVE and instrument in (programme.kinds or [])


def programmes_for(instrument: str) -> list:
    """The programmes that take applications of this instrument."""
    from funds.direct.models import Programme, ProgrammeStatus

    return [p for p in Programme.objects.filter(status=ProgrammeStatus.ACTIVE)
            if programme_takes(p, instrument)]


def schemes_for(instrument: str):
    """The open subsidy schemes of the instrument's kind: appraisal-fee schemes for the appraisal-fee
    subsidy, paid-interest and benchmark schemes for the interest subsidy."""
    from loans.models import SubsidyKind, SubsidyScheme

    kinds = ([SubsidyKind.APPRAISAL_FEE] if instrument == Instrument.APPRAISAL_FEE_SUBSIDY
             else [SubsidyKind.PAID_INTEREST, SubsidyKind.BENCHMARK])
    return SubsidyScheme.objects.filter(is_open=True, kind__in=kinds)


def loans_of(application):
    """The loans a subsidy application may name: its enterprise's own."""
    from loans.models import Loan

    return Loan.objects.filter(borrower_id=application.enterprise_id)
