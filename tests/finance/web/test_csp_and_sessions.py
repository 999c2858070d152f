"""Issue 9 hardening: a Content-Security-Policy on every page (everything self-hosted, no inline script or
handler, inline <style> only with the request's nonce), and sessions that last one working day."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from finance.parties.models import Role

PASSWORD = "Test-password-123"


class InlineCode(HTMLParser):
    """Collects what the policy would block: handlers, inline scripts/styles without the nonce, javascript: URLs."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce, self.blocked = nonce, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:…>")
            if name in ("src", "href") and re.match(r"^(https?:)?//", value or ""):
                self.blocked.append(f"<{tag} {name}={value}> (not self-hosted)")
        if tag == "script" and "src" not in attrs and attrs.get("type", "") not in ("application/json",):
            if not self.nonce or attrs.get("nonce") != self.nonce:
                self.blocked.append("<script> without src or nonce")
        if tag == "style" and (not self.nonce or attrs.get("nonce") != self.nonce):
            self.blocked.append("<style> without nonce")


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def check_page(response, url=""):
    assert response.status_code in (200, 403), (url, response)
    policy = policy_of(response)
    assert policy.get("default-src") == ["'self'"], policy
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy.get("object-src") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"]
    nonce = next((s[len("'nonce-"):-1] for s in policy["script-src"] if s.startswith("'nonce-")), None)
    parser = InlineCode(nonce)
    parser.feed(response.content.decode())
    assert parser.blocked == [], (url, parser.blocked)


@pytest.mark.parametrize("role", [Role.BANK_OFFICER, Role.DEPARTMENT_REVIEWER, Role.ADMINISTRATOR])
def test_core_pages_carry_the_policy_and_nothing_it_would_block(client, orgs, make_user, bank, province, role):
    user = make_user(bank if role == Role.BANK_OFFICER else province, role)
    check_page(client.get("/accounts/login/"))
    client.force_login(user)
    for url in ["/", f"/organisations/{user.organisation_id}/", "/accounts/otp/", "/policy/",
                "/policy/loan.rate_max/", "/api/docs/", "/api/redoc/"]:
        check_page(client.get(url), url)
    if role == Role.ADMINISTRATOR:
        check_page(client.get("/admin/"))


def test_the_scripts_and_styles_the_pages_use_are_served(client, bank_officer):
    client.force_login(bank_officer)
    html = client.get("/").content.decode()
    for path in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)
    assert "/static/web/kejin.js" in html and "/static/web/kejin.css" in html
    assert 'data-autosubmit' in html  # the language switch works without an inline handler


def test_core_templates_have_no_inline_code():
    """Our own templates (finance/): handlers and inline scripts/styles would be blocked by the policy."""
    root = Path(settings.BASE_DIR) / "finance"
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"<script(?![^>]*\b(src|csp_nonce)\b)[^>]*>", text) \
                or re.search(r"<style(?![^>]*csp_nonce)[^>]*>", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_sessions_last_a_working_day(client, reviewer):
    response = client.post("/accounts/login/", {"username": reviewer.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 8 * 3600
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 8 * 3600
