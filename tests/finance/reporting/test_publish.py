"""Publishing: departments only, immutable afterwards (model, queryset, PostgreSQL trigger), a correction is a new
version with its changes against the previous quarter, the LP identity and the hash are checked, and the files
(XLSX, PDF) carry the figures and the hash."""
import datetime as dt
import re
import subprocess
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from openpyxl import load_workbook

from finance.core.errors import Conflict, DomainError, PermissionDenied
from finance.parties.models import Role
from finance.reporting.charts import bars, unit_for
from finance.reporting.models import Report, ReportStatus
from finance.reporting.services import content_hash, report_generate, report_publish
from loans import services as ls
from loans.models import Loan
from tests.conftest import postgres_only
from tests.finance.reporting.conftest import small_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_publish_freezes_the_report(orgs, make_user, reviewer, province):
    small_book(orgs, make_user)
    report = report_generate(quarter="2026Q3")
    auditor = make_user(province, Role.AUDITOR)
    with pytest.raises(PermissionDenied):
        report_publish(report=report, by=auditor)
    report = report_publish(report=report, by=reviewer)
    assert report.status == ReportStatus.PUBLISHED and report.published_by == reviewer
    for kind in ("xlsx", "pdf"):
        data = getattr(report, kind).read()
        import hashlib

        assert hashlib.sha256(data).hexdigest() == getattr(report, f"{kind}_sha256")
    with pytest.raises(Conflict):
        report_publish(report=report, by=reviewer)
    report.content = {"sections": {}}
    with pytest.raises(Conflict):
        report.save()
    with pytest.raises(Conflict):
        Report.objects.filter(pk=report.pk).update(sha256="0" * 64)
    with pytest.raises(Conflict):
        Report.objects.get(pk=report.pk).delete()
    stored = Report.objects.get(pk=report.pk)
    assert stored.sha256 == content_hash(stored.content)
    assert report_generate(quarter="2026Q3").pk == report.pk  # same data: the published version itself


@postgres_only
@pytest.mark.postgres
def test_the_database_refuses_changes_to_a_published_report(orgs, make_user, reviewer):
    small_book(orgs, make_user)
    report = report_publish(report=report_generate(quarter="2026Q3"), by=reviewer)
    with pytest.raises(Exception, match="immutable"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE reporting_report SET content = '{}' WHERE id = %s", [report.pk])
    with pytest.raises(Exception, match="immutable"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM reporting_report WHERE id = %s", [report.pk])
    draft = report_generate(quarter="2026Q2")
    with connection.cursor() as cur:  # drafts are not frozen
        cur.execute("UPDATE reporting_report SET generated_at = generated_at WHERE id = %s", [draft.pk])


def test_a_correction_is_a_new_version_with_changes_against_the_previous_quarter(orgs, make_user, reviewer):
    bank = small_book(orgs, make_user)
    q2 = report_publish(report=report_generate(quarter="2026Q2"), by=reviewer)
    v1 = report_publish(report=report_generate(quarter="2026Q3"), by=reviewer)
    figures = {f["key"]: f for f in v1.content["sections"]["changes"]["figures"]}
    assert v1.content["sections"]["changes"]["previous_version"] == q2.version
    assert figures["loans.principal_outstanding"] == {
        "key": "loans.principal_outstanding", "label": "贷款余额", "unit": "yuan", "current": "775375.00",
        "previous": "1000000.00", "delta": "-224625.00", "direction": "down"}
    assert figures["funds.paid_in"]["direction"] == "up" and figures["funds.paid_in"]["delta"] == "1000000.00"
    # A repayment of 2026-09-01 recorded late: the 2026Q3 figures change, so a regeneration is version 2.
    loan = Loan.objects.get(bank=bank)
    officer = bank.users.first()
    ls.repayment_record(loan=loan, paid_on=dt.date(2026, 9, 1), amount=D("103625.00"), by=officer)
    v2 = report_generate(quarter="2026Q3")
    assert (v2.version, v2.status) == (2, ReportStatus.DRAFT) and v2.sha256 != v1.sha256
    assert v2.content["sections"]["loans"]["total"]["principal_outstanding"] == "675375.00"
    old = Report.objects.get(pk=v1.pk)
    assert old.content == v1.content and old.sha256 == v1.sha256 and old.status == ReportStatus.PUBLISHED


def test_publishing_is_refused_when_the_lp_identity_or_the_hash_fails(orgs, make_user, reviewer):
    small_book(orgs, make_user)
    report = report_generate(quarter="2026Q3")
    content = report.content
    line = content["sections"]["funds"]["sub_funds"][0]["capital_accounts"]["lines"][0]
    line["gains"] = str(D(line["gains"]) + D("0.01"))
    Report.objects.filter(pk=report.pk).update(content=content, sha256=content_hash(content))
    with pytest.raises(DomainError) as exc:
        report_publish(report=report, by=reviewer)
    assert exc.value.code == "capital_account_identity"
    Report.objects.filter(pk=report.pk).update(sha256="f" * 64)
    with pytest.raises(DomainError) as exc:
        report_publish(report=report, by=reviewer)
    assert exc.value.code == "report_hash_mismatch"
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_the_pdf_has_the_headline_figures_page_numbers_and_the_hash(orgs, make_user, reviewer, tmp_path):
    small_book(orgs, make_user)
    report = report_publish(report=report_generate(quarter="2026Q3"), by=reviewer)
    path = tmp_path / "r.pdf"
    path.write_bytes(report.pdf.read())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "2026年第三季度科技金融季度报告" in text
    assert "775,375.00" in text  # loans outstanding
    assert "1,000,000.00" in text  # fund paid-in
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", text) and "已发布" in text
    assert report.sha256 in text.replace("\n", "")


def test_the_xlsx_has_a_sheet_per_section_numbers_as_numbers_and_safe_text(orgs, make_user, reviewer, tmp_path):
    small_book(orgs, make_user, bank_name="=HYPERLINK(\"http://x\",\"银行\")", lp_name="@SUM(1+1)")
    report = report_publish(report=report_generate(quarter="2026Q3"), by=reviewer)
    path = tmp_path / "r.xlsx"
    path.write_bytes(report.xlsx.read())
    wb = load_workbook(path)
    assert wb.sheetnames == ["封面", "loans", "pool", "guarantees", "funds", "direct", "changes"]
    cover = {r[0].value: r[1].value for r in wb["封面"].iter_rows(min_row=2, max_row=8)}
    assert cover["SHA-256"] == report.sha256 and cover["季度"] == "2026年第三季度"
    loans = wb["loans"]
    rows = [[c for c in r] for r in loans.iter_rows()]
    header = next(r for r in rows if r[0].value == "银行")
    assert [c.value for c in header[:3]] == ["银行", "在贷笔数", "贷款余额"]
    bank_row = rows[rows.index(header) + 1]
    assert bank_row[0].value == "'=HYPERLINK(\"http://x\",\"银行\")" and bank_row[0].data_type == "s"
    assert bank_row[2].value == 775375 and bank_row[2].number_format == "#,##0.00"
    assert bank_row[1].value == 1 and bank_row[1].number_format == "#,##0"
    funds_text = [c.value for r in wb["funds"].iter_rows() for c in r if isinstance(c.value, str)]
    assert "'@SUM(1+1)" in funds_text and "@SUM(1+1)" not in funds_text
    assert not any(c.data_type == "f" for ws in wb.worksheets for r in ws.iter_rows() for c in r)


def test_chart_axes_are_in_wan_or_yi_yuan_never_scientific():
    assert unit_for(["99999999.99"]) == ("万元", D(10000))
    assert unit_for(["100000000.00"]) == ("亿元", D(100000000))
    svg = bars("测试", ["甲银行", "乙银行"], {"贷款余额": ["250000000.00", "1234567890.12"]})
    assert "亿元" in svg and "测试" in svg
    assert not re.search(r"\d[eE][+-]?\d", re.sub(r"<[^>]+>", " ", svg))
    assert bars("x", ["a"], {"v": ["12345678.00"]}).count("万元") == 1
