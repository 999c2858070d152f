"""Fixtures for the application flow, built through the services: a verified startup with its documents, a
department reviewer, a fund manager's programme (maker and checker), the policy values the (none) parameters
need, and another enterprise for the scoping checks."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.parties.models import OrgKind, Role
from finance.parties.services import user_create
from finance.policy.catalogue import POLICY_EPOCH
from finance.policy.models import Parameter, ParameterValue
from finance.policy.services import parameter_set

POLICY = {
    "investfirst.conversion_deadline_months": "24", "investfirst.min_round_size": "5000000",
    "grantinvestloan.grant_cap": "3000000", "grantinvestloan.exit_return": "5", "talent.holding_years": "5",
    "talent.eligibility.team_leads": "1", "talent.eligibility.in_shandong": "1",
    "talent.eligibility.own_ip_min": "1", "talent.eligibility.company_age_max_years": "10",
    "talent.eligibility.founders_cash_min": "500000",
}
DOCS = ("business_licence", "business_plan", "ip_certificate", "financial_statements")


def review_criteria_seed():
    """Transactional tests flush the database (migration data included): put this app's criteria back."""
    import importlib

    module = importlib.import_module("finance.applications.migrations.0002_review_criteria")
    module.seed(Parameter, ParameterValue)


def set_policy():
    review_criteria_seed()
    for key, value in POLICY.items():
        parameter_set(key=key, value=D(value), effective_from=POLICY_EPOCH, source_note="test")


def pdf(name="licence.pdf") -> SimpleUploadedFile:
    from finance.portal.demo import tiny_pdf

    return SimpleUploadedFile(name, tiny_pdf(name), content_type="application/pdf")


def upload_documents(org, by, kinds=DOCS):
    from finance.portal.services import document_upload

    names = {"business_licence": "营业执照.pdf", "business_plan": "商业计划书.pdf",
             "ip_certificate": "专利证书.pdf", "financial_statements": "财务报表.pdf"}
    return [document_upload(organisation=org, kind=k, upload=pdf(names[k]), by=by) for k in kinds]


@dataclass
class World:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    programme: object = None


def build_world(orgs, *, documents=True) -> World:
    """Everything a flow needs, through the services."""
    from finance.parties.services import organisation_create
    from funds.direct import services as direct

    set_policy()
    w = World()
    n = {"i": 0}

    def user(org, name, *roles, email=True):
        n["i"] += 1
        u, _ = user_create(organisation=org, username=name, roles=list(roles), password="Test-password-123",
                           email=f"{name}@example.cn" if email else "")
        return u

    w.orgs["province"] = organisation_create(kind=OrgKind.DEPARTMENT, name="山东省科学技术厅", dept_level="province")
    w.orgs["platform"] = orgs.make(OrgKind.FUND_MANAGER, name="省财金投资集团")
    w.orgs["other_manager"] = orgs.make(OrgKind.FUND_MANAGER, name="另一家管理机构")
    w.orgs["bank"] = orgs.make(OrgKind.BANK, name="齐鲁银行")
    w.orgs["other_bank"] = orgs.make(OrgKind.BANK, name="另一家银行")
    w.orgs["startup"] = orgs.make(OrgKind.ENTERPRISE, name="济南量子科技有限公司", region="济南市", verified=True)
    w.orgs["other"] = orgs.make(OrgKind.ENTERPRISE, name="青岛海洋生物有限公司", region="青岛市", verified=True)
    w.users["reviewer"] = user(w.orgs["province"], "reviewer", Role.DEPARTMENT_REVIEWER)
    w.users["reviewer2"] = user(w.orgs["province"], "reviewer2", Role.DEPARTMENT_REVIEWER)
    w.users["manager"] = user(w.orgs["platform"], "manager", Role.FUND_MANAGER)
    w.users["checker"] = user(w.orgs["platform"], "checker", Role.FUND_MANAGER)
    w.users["other_manager"] = user(w.orgs["other_manager"], "othermanager", Role.FUND_MANAGER)
    w.users["bank"] = user(w.orgs["bank"], "banker", Role.BANK_OFFICER)
    w.users["other_bank"] = user(w.orgs["other_bank"], "otherbanker", Role.BANK_OFFICER)
    w.users["applicant"] = user(w.orgs["startup"], "founder", Role.APPLICANT)
    w.users["other_applicant"] = user(w.orgs["other"], "otherfounder", Role.APPLICANT)
    w.programme = direct.programme_create(name="人才股权专项", owner_department=w.orgs["province"],
                                          manager=w.orgs["platform"], budget="100000000.00",
                                          kinds=["invest_first", "talent_equity", "grant_invest_loan"])
    direct.programme_fund(programme=w.programme, amount="50000000.00", on=dt.date(2025, 1, 2), reference="CZ-1")
    if documents:
        upload_documents(w.orgs["startup"], w.users["applicant"])
    return w


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the flow, not password hashing, is tested


@pytest.fixture
def world(orgs, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = FAST_HASHERS
    return build_world(orgs)


TALENT = {"title": "量子传感器产业化", "amount": "1000000.00", "price_per_share": "2.00",
          "founded_on": "2022-03-01", "own_ip_count": "3", "founders_cash": "800000.00",
          "talent_team_leads": "1", "registered_in_shandong": "1"}


def talent_draft(w, **over):
    from finance.applications import services

    data = {**TALENT, "programme": str(w.programme.pk), **over}
    return services.application_create(enterprise=w.orgs["startup"], instrument="talent_equity",
                                       by=w.users["applicant"], data=data)
