"""A person's path through the shell in a real browser: Debian's Chromium driven by Playwright."""
import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BS_PRIMARY = "rgb(13, 110, 253)"  # --bs-primary #0d6efd of finance/web/static/vendor/bootstrap/bootstrap.min.css
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")


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


def test_login_in_chinese_then_switch_to_english(live_server, browser, bank_officer):
    page = browser.new_page(locale="zh-CN")  # as the province's desktops are set up
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录科金平台"
    # The self-hosted Bootstrap stylesheet loaded: the primary button has Bootstrap's primary colour (an unstyled
    # button would be the browser's grey or transparent).
    assert page.evaluate("getComputedStyle(document.querySelector('.btn-primary')).backgroundColor") == BS_PRIMARY
    page.fill("#id_username", bank_officer.username)
    page.fill("#id_password", "Test-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "首页" in page.title()
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Home" in page.title()
    page.screenshot(path="/tmp/kejin-home.png")
