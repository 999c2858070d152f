"""The Content-Security-Policy in a real browser: no page of the shell, the API docs or the admin reports a
violation (but for two load-time styles of the Redoc bundle), and behaviour that used inline handlers (the language switch) still works."""
import os
import shutil

import pytest

from finance.parties.models import Role

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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


def test_no_page_breaks_the_policy(live_server, browser, province, make_user):
    admin_user = make_user(province, Role.ADMINISTRATOR)
    page = browser.new_page(locale="zh-CN")
    violations = []
    page.on("console", lambda m: violations.append((page.url, m.text)) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "Test-password-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in ["/", "/policy/", "/admin/", "/admin/policy/parameter/", "/api/docs/", "/api/redoc/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)  # Swagger UI initialised (its inline script ran)
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("#redoc-container h1", timeout=15000)  # Redoc initialised (its inline script ran)
    page.screenshot(path="/tmp/kejin-redoc.png")
    page.goto(f"{live_server.url}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Home" in page.title()
    # Known and documented (docs/security.md): the Redoc bundle injects two style elements while it loads, before
    # Redoc.init can hand it the nonce; the policy blocks them and the page still renders (checked above).
    violations = [(url, text) for url, text in violations if "/api/redoc/" not in url]
    assert violations == [], "\n".join(f"{u}: {v[:300]}" for u, v in violations)
