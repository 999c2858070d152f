"""The startup portal in a real browser: Debian's Chromium driven by Playwright against the live server on
PostgreSQL, the issue's journeys 1–5 in one world (one registration carries through them, which keeps the run
short), reading the verification email from the outbox of the live server (same process, locmem backend).

Each step is saved as a screenshot under ``artifacts/screenshots/<journey>/`` (gitignored; README names it).
axe-core (vendored by ``axe_playwright_python``, injected into the page, no CDN) runs on the portal pages:
no serious or critical violations. Journey 5 is the same pages at 390 px: nothing wider than the viewport, no
table cell squeezed to a character, every action on screen.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.core import mail
from stdnum.cn import uscc as stdnum_uscc

from finance.applications.models import Application, Status
from finance.calc.identifiers import patent_check_char

from .conftest import FAST_HASHERS, set_policy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
SHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "Quantum-chip-2026"
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
              pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def uscc(serial: int) -> str:
    body = f"91370100MA{serial:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


def patent(serial: int) -> str:
    digits = f"20211{serial:07d}"
    return f"ZL{digits}.{patent_check_char(digits)}"


class Shots:
    def __init__(self, journey: str):
        self.dir = SHOTS / journey
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, step: str):
        self.n += 1
        page.screenshot(path=str(self.dir / f"{self.n:02d}-{step}.png"), full_page=True)


def axe_clean(page, what: str):
    """No serious or critical axe-core violation anywhere on the page: the layout's navbar, the portal's
    section tabs and the content alike."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad, f"{what}: {bad}"


def login(context, base, username, password=PASSWORD):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


def post_button(page, name: str, value: str | None = None):
    selector = f"button[name='{name}']" + (f"[value='{value}']" if value else "")
    with page.expect_navigation():
        page.click(selector)


def narrow_ok(page, what: str):
    """390 px: no horizontal page scroll, no table cell narrower than about two characters, every button and
    link inside the viewport's width (tables scroll inside themselves)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{what}: page is {width}px wide"
    narrow = page.evaluate("""() => [...document.querySelectorAll('td, th')]
        .filter(c => c.innerText.trim().length > 0 && c.getBoundingClientRect().width < 24)
        .map(c => c.innerText.trim().slice(0, 20))""")
    assert not narrow, f"{what}: cells squeezed to a character: {narrow}"
    outside = page.evaluate("""() => [...document.querySelectorAll('main button, main a.btn, main input, main select')]
        .filter(e => !e.closest('table') && e.offsetParent !== null)
        .filter(e => { const r = e.getBoundingClientRect(); return r.left < -1 || r.right > 391; })
        .map(e => e.outerHTML.slice(0, 80))""")
    assert not outside, f"{what}: actions off screen: {outside}"


def test_journeys(live_server, browser, settings, tmp_path):  # noqa: PLR0915 - one world, five journeys
    from finance.parties.models import Organisation, OrgKind, Role
    from finance.parties.services import organisation_create, user_create
    from funds.direct import services as direct

    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    set_policy()
    province = organisation_create(kind=OrgKind.DEPARTMENT, name="山东省科学技术厅", dept_level="province")
    platform = organisation_create(kind=OrgKind.FUND_MANAGER, name="省财金投资集团", uscc=uscc(9001))
    bank = organisation_create(kind=OrgKind.BANK, name="齐鲁银行科技支行", uscc=uscc(9002))
    users = {}
    for name, org, role in (("reviewer", province, Role.DEPARTMENT_REVIEWER), ("manager", platform, Role.FUND_MANAGER),
                            ("checker", platform, Role.FUND_MANAGER), ("banker", bank, Role.BANK_OFFICER)):
        users[name], _ = user_create(organisation=org, username=name, roles=[role], password=PASSWORD,
                                     email=f"{name}@example.cn")
    programme = direct.programme_create(name="人才股权专项", owner_department=province, manager=platform,
                                        budget="100000000.00", kinds=["talent_equity", "invest_first"])
    base = live_server.url
    pdf = tmp_path / "营业执照.pdf"
    from finance.portal.demo import tiny_pdf

    pdf.write_bytes(tiny_pdf("licence"))

    # ------------------------------------------------------------ 1. register, verify, profile, patent, licence
    shot = Shots("1-register")
    startup_ctx = browser.new_context(locale="zh-CN")
    page = startup_ctx.new_page()
    page.goto(f"{base}/accounts/signup/")
    axe_clean(page, "signup")
    code = uscc(4242)
    for field, value in (("uscc", code), ("name", "济南量子新创科技有限公司"), ("legal_representative", "李明"),
                         ("contact_name", "王芳"), ("mobile", "13805311234"), ("email", "wangfang@qchip.example.cn"),
                         ("username", "qchip"), ("password1", PASSWORD), ("password2", PASSWORD)):
        page.fill(f"#id_{field}", value)
    shot(page, "signup-filled")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    shot(page, "verification-sent")
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    link = re.sub(r"^https?://[^/]+", base, link)
    page.goto(link)
    shot(page, "confirm-email")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    org = Organisation.objects.get(uscc=code)
    assert not org.is_verified
    page.goto(f"{base}/portal/profile/")
    if page.locator("#id_password").count():  # not logged in by the confirmation: log in
        page = login(startup_ctx, base, "qchip")
        page.goto(f"{base}/portal/profile/")
    shot(page, "profile")
    page.fill("#id_profile-founded_on", "2022-03-01")
    page.fill("#id_profile-headcount", "25")
    page.fill("#id_profile-rd_staff", "12")
    axe_clean(page, "profile")
    with page.expect_navigation():
        page.click("button:has-text('保存企业档案')")
    shot(page, "profile-saved")
    page.goto(f"{base}/portal/ip/")
    good = patent(123456)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.select_option("#id_ip-kind", "invention")
    page.fill("#id_ip-number", wrong)
    page.fill("#id_ip-title", "一种量子传感方法")
    page.fill("#id_ip-granted_on", "2023-05-01")
    with page.expect_navigation():
        page.click("main form button.btn-primary")
    assert "校验" in page.content(), "a wrong check digit is refused on the page"
    shot(page, "patent-wrong-check-digit")
    page.fill("#id_ip-number", good)
    page.fill("#id_ip-title", "一种量子传感方法")
    with page.expect_navigation():
        page.click("main form button.btn-primary")
    assert good.replace("ZL", "")[:8] in page.content()
    axe_clean(page, "ip")
    shot(page, "patent-added")
    page.goto(f"{base}/portal/documents/")
    for kind in ("business_licence", "business_plan", "ip_certificate"):
        page.select_option("#id_doc-kind", kind)
        page.set_input_files("#id_doc-file", str(pdf))
        with page.expect_navigation():
            page.click("main form button.btn-primary")
    axe_clean(page, "documents")
    shot(page, "documents-uploaded")

    # ------------------------------------------------------------ 2. confirmed; apply for talent equity; submit
    shot = Shots("2-apply")
    reviewer_ctx = browser.new_context(locale="zh-CN")
    rpage = login(reviewer_ctx, base, "reviewer")
    rpage.goto(f"{base}/portal/verification/{org.pk}/")
    shot(rpage, "verification")
    post_button(rpage, "action", "verify")
    org.refresh_from_db()
    assert org.is_verified
    # earlier fiscal equity of 1,500,000 (approved by the programme), so the headroom is 3,500,000
    earlier = direct.talent_equity_apply(programme=programme, enterprise=org, title="前期人才项目",
                                         amount="1500000.00", price_per_share="1.00", founded_on="2022-03-01",
                                         by=users["manager"], talent_team_leads=True, registered_in_shandong=True,
                                         own_ip_count=1, founders_cash="800000.00")
    direct.talent_equity_submit(talent=earlier, by=users["manager"])
    direct.talent_equity_decide(talent=earlier, by=users["checker"], approve=True)
    page.goto(f"{base}/applications/new/")
    axe_clean(page, "new application")
    page.check("#instrument-talent_equity")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    app = Application.objects.get(enterprise=org)
    page.fill("#id_title", "量子传感器产业化")
    page.select_option("#id_programme", str(programme.pk))
    for field, value in (("amount", "3000000.00"), ("price_per_share", "2.00"), ("founders_cash", "800000.00")):
        page.fill(f"#id_{field}", value)
    page.check("#id_talent_team_leads")
    page.fill("#id_own_ip_count", "1")
    for _ in range(40):  # autosave: debounced, then saved; the pre-check panel is swapped in with the figures
        page.wait_for_timeout(250)
        app.refresh_from_db()
        if app.amount is not None and app.own_ip_count == 1:
            break
    assert str(app.amount) == "3000000.00"  # saved as typed, without pressing anything
    cap = page.locator("[data-rule='talent_cap'] .figure")
    for _ in range(40):
        if "本次申请 3,000,000.00" in cap.inner_text():
            break
        page.wait_for_timeout(250)
    assert "剩余 3,500,000.00 / 上限 5,000,000.00" in cap.inner_text()
    assert "本次申请 3,000,000.00" in cap.inner_text()
    axe_clean(page, "application form")
    shot(page, "headroom")
    with page.expect_navigation():
        page.click("#submit-button")
    assert "已提交" in page.content()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    shot(page, "submitted")

    # ------------------------------------------------------------ 3. RFI, answer with attachment, recommend, decision
    shot = Shots("3-review")
    manager_ctx = browser.new_context(locale="zh-CN")
    mpage = login(manager_ctx, base, "manager")
    mpage.goto(f"{base}/applications/workbench/")
    assert "量子传感器产业化" in mpage.content()
    axe_clean(mpage, "queue")
    shot(mpage, "queue")
    mpage.goto(f"{base}/applications/workbench/{app.pk}/")
    with mpage.expect_navigation():
        mpage.click("form[action$='/assign/'] button")
    mpage.check("#coi-no")
    with mpage.expect_navigation():
        mpage.click("form[action$='/conflict/'] button")
    mpage.fill("#rfi-body", "请补充近两年的财务报表。")
    with mpage.expect_navigation():
        mpage.click("form[action$='/rfi/'] button")
    axe_clean(mpage, "review")
    shot(mpage, "rfi-sent")
    page.goto(f"{base}/applications/{app.pk}/")
    page.fill("#answer-body", "已上传财务报表，请审阅。")
    page.set_input_files("#answer-file", str(pdf))
    shot(page, "answer")
    with page.expect_navigation():
        page.click("#answer-form button[type=submit]")
    app.refresh_from_db()
    assert app.status == Status.UNDER_REVIEW
    mpage.goto(f"{base}/applications/workbench/{app.pk}/")
    for i in range(1, 6):
        mpage.fill(f"#score-{i}", "80")
    with mpage.expect_navigation():
        mpage.click("form[action$='/score/'] button")
    assert "80.00" in mpage.locator("#weighted-total").inner_text()
    with mpage.expect_navigation():
        mpage.click("#recommend-button")
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED and app.talent_id
    shot(mpage, "recommended")
    checker_ctx = browser.new_context(locale="zh-CN")
    cpage = login(checker_ctx, base, "checker")
    cpage.goto(f"{base}/funds/direct/talent/{app.talent_id}/")
    post_button(cpage, "action", "approve")
    shot(cpage, "committee-approved")
    page.goto(f"{base}/applications/{app.pk}/")
    assert "已批准" in page.locator("#outcome").inner_text()
    assert "审批决定" in page.locator("#timeline").inner_text()
    axe_clean(page, "timeline")
    shot(page, "decision-on-timeline")

    # ------------------------------------------------------------ 4. financing need; a bank officer sees it
    shot = Shots("4-financing-need")
    page.goto(f"{base}/applications/new/")
    page.check("#instrument-financing_need")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.fill("#id_title", "知识产权质押融资 300 万元")
    page.fill("#id_amount", "3000000.00")
    page.fill("#id_term_months", "24")
    page.fill("#id_ip_offered", f"发明专利 {good}")
    with page.expect_navigation():
        page.click("#submit-button")
    shot(page, "need-submitted")
    bank_ctx = browser.new_context(locale="zh-CN")
    bpage = login(bank_ctx, base, "banker")
    bpage.goto(f"{base}/applications/financing-needs/")
    assert "知识产权质押融资 300 万元" in bpage.content() and "3,000,000.00" in bpage.content()
    axe_clean(bpage, "financing needs")
    shot(bpage, "bank-sees-need")
    with bpage.expect_navigation():
        bpage.click("#needs a")
    bpage.fill("#need-body", "我行可提供 300 万元质押贷款，期限 24 个月。")
    with bpage.expect_navigation():
        bpage.click("main form button[type=submit]")
    shot(bpage, "bank-answered")

    # ------------------------------------------------------------ 5. the same pages at 390 px; English spot check
    shot = Shots("5-phone")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    phone.add_cookies(startup_ctx.cookies())
    p = phone.new_page()
    for path in ("/portal/documents/", "/applications/", f"/applications/{app.pk}/", "/applications/new/"):
        p.goto(base + path)
        narrow_ok(p, path)
        shot(p, path.strip("/").replace("/", "-") or "home")
    rphone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    rphone.add_cookies(manager_ctx.cookies())
    q = rphone.new_page()
    for path in ("/applications/workbench/", f"/applications/workbench/{app.pk}/"):
        q.goto(base + path)
        narrow_ok(q, path)
        shot(q, path.strip("/").replace("/", "-"))
    bphone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    bphone.add_cookies(bank_ctx.cookies())
    b = bphone.new_page()
    b.goto(base + "/applications/financing-needs/")
    narrow_ok(b, "financing needs")
    shot(b, "financing-needs")
    # English: the language switch of the layout
    page.goto(f"{base}/applications/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "My applications"
    page.goto(f"{base}/applications/{app.pk}/")
    assert "approved" in page.locator("#outcome").inner_text()
    shot(page, "english")
