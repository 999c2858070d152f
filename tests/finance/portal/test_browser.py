"""The portal in a real browser (Debian's Chromium through Playwright): a startup fills its profile, adds a
patent (a wrong check digit is refused on the page, the field named), uploads its licence; every portal page
at 390 px wide has no table column wrapping one character per line, and axe-core finds no serious or critical
violation. Screenshots go to $KEJIN_SCREENSHOT_DIR (default: the temporary directory)/portal."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from finance.portal.demo import patent_number, tiny_pdf

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
SHOTS = Path(os.environ.get("KEJIN_SCREENSHOT_DIR", tempfile.gettempdir())) / "portal"

#: Cells narrower than two characters of their own font while holding a longer text wrap one per line.
NARROW_CELLS = """() => [...document.querySelectorAll('main td, main th')].filter(c => {
  const hidden = [...c.querySelectorAll('.visually-hidden')].map(h => h.innerText).join('');
  const text = c.innerText.replace(hidden, '').trim();  // text for screen readers only takes no width
  const size = parseFloat(getComputedStyle(c).fontSize);
  return text.length >= 2 && c.getBoundingClientRect().width < 2 * size;
}).map(c => c.innerText.trim())"""


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


def _login(page, url, user):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "Test-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def test_startup_journey_and_phone_width(live_server, browser, enterprise, applicant, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="zh-CN")
    _login(page, live_server.url, applicant)

    page.goto(f"{live_server.url}/portal/profile/")
    page.get_by_label("注册资本（元）").fill("5000000")
    page.get_by_label("职工人数").fill("40")
    page.get_by_label("研发人员数").fill("18")
    page.get_by_label("所属行业").select_option("electronic_information")
    page.get_by_role("button", name="保存企业档案").click()
    page.wait_for_url(f"{live_server.url}/portal/profile/")
    assert "企业档案已保存" in page.inner_text("main")

    number = patent_number(2021, "1", 123456)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    page.goto(f"{live_server.url}/portal/ip/")
    page.get_by_label("知识产权类型").select_option("invention")
    page.get_by_label("编号", exact=True).fill(wrong)
    page.get_by_label("名称", exact=True).fill("量子芯片封装方法")
    page.get_by_role("button", name="加入知识产权清单").click()
    field = page.locator("#id_ip-number")
    assert field.get_attribute("aria-invalid") == "true"
    assert f"专利号校验位错误(应为 {number[-1]})" in page.inner_text("main")
    page.screenshot(path=str(SHOTS / "ip-wrong-check-digit.png"), full_page=True)
    field.fill(number)
    page.get_by_role("button", name="加入知识产权清单").click()
    page.wait_for_url(f"{live_server.url}/portal/ip/")
    assert number in page.inner_text("main table")

    licence = tmp_path / "营业执照（副本）济南测试科技有限公司统一社会信用代码证照扫描件_2026年版本.pdf"
    licence.write_bytes(tiny_pdf("营业执照"))
    page.goto(f"{live_server.url}/portal/documents/")
    page.get_by_label("材料类型").select_option("business_licence")
    page.get_by_label("文件", exact=True).set_input_files(str(licence))
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_url(f"{live_server.url}/portal/documents/")
    assert licence.name in page.inner_text("main table")

    # desktop width: the navbar's links and the portal's section tabs are on screen and checked too
    for name in ("", "profile/", "ip/", "documents/"):
        page.goto(f"{live_server.url}/portal/{name}")
        assert _axe_serious(page) == [], name

    page.set_viewport_size({"width": 390, "height": 844})
    for name in ("", "profile/", "ip/", "documents/"):
        page.goto(f"{live_server.url}/portal/{name}")
        assert page.evaluate(NARROW_CELLS) == [], name
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e =>
            e.getBoundingClientRect().right > 391 || e.scrollWidth > 391).map(e =>
            e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + '/' + e.scrollWidth).slice(0, 12)""")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, (name, wide)
        assert _axe_serious(page) == [], name
        page.screenshot(path=str(SHOTS / f"390-{name.strip('/') or 'home'}.png"), full_page=True)


def test_keyboard_reaches_the_upload_button(live_server, browser, enterprise, applicant):
    page = browser.new_page(locale="zh-CN")
    _login(page, live_server.url, applicant)
    page.goto(f"{live_server.url}/portal/documents/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText") == "上传":
            break
    else:
        pytest.fail("the upload button is not reachable with the Tab key")
