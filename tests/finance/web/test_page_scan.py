"""Keep the Chinese interface free of raw codes: every page every demo role reaches from its menu and home
page, rendered in zh-hans on the demo world, shows no enum value, no ``None``, no dict repr, no English-only
label, no "1e8" axis and no unseparated amount, and none answers 500. On the same pages, an action is offered
exactly to the roles its view lets through: no link or POST form leads a role to a view whose
``roles_required`` it fails (finance.web.permissions).

Pages are discovered, not listed: the crawl follows the same-origin links of each role's navigation and home
page (two clicks deep, a few instances per URL shape), so pages added later are scanned as soon as they are
linked.
"""
import os
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from finance.parties.models import User
from finance.web.permissions import can_open
from tests.finance.web.pagescan import SNAKE, actions, problems

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/api/", "/static/", "/media/")
MAX_DEPTH = 3
PER_SHAPE = 1  # /loans/12/ and /loans/13/ are the same template: one of each shape is enough
MAX_PAGES = 60  # per role


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        href = urldefrag(href)[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # other origins, mailto:, relative oddities
        if parts.path.startswith(SKIP_PREFIXES):
            continue
        out.append(href)
    return out


def shape(url: str) -> str:
    """The URL's pattern: ids and keys (a segment with a digit, a dot or an underscore) become X."""
    parts = urlsplit(url)
    query = "&".join(sorted(re.sub(r"=.*", "", q) for q in parts.query.split("&") if q))
    path = "/".join("X" if re.search(r"[\d._]", seg) else seg for seg in parts.path.split("/"))
    return path + ("?" + query if query else "")


def role_checked_actions(user, page: str, html: str) -> list[tuple[str, str, str, frozenset, bool]]:
    """(kind, target, view name, the view's roles, whether ``user`` passes them) for every link and POST target
    of the page whose view declares roles (``roles_required``); a target that fails is offered to a person whose
    request would answer 403."""
    out = []
    for kind, target in actions(html):
        parts = urlsplit(urljoin(page, urldefrag(target)[0]))  # no action: the form posts to the page itself
        if parts.scheme or parts.netloc:
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        roles = getattr(match.func, "required_roles", None)
        if roles is not None:
            passes = can_open(user, match.view_name, *match.args, *match.kwargs.values())
            out.append((kind, target or "(the page itself)", match.view_name, roles, passes))
    return out


def crawl(client: Client, user=None) -> tuple[dict[str, list[str]], dict[str, list[tuple]]]:
    """({url: problems}, {url: role_checked_actions}) for every page reached; a 500 is a problem of its page.
    The second is filled when ``user`` (the client's) is given."""
    found: dict[str, list[str]] = {}
    offered: dict[str, list[tuple]] = {}
    shapes: dict[str, int] = {}
    queue = deque([("/", 0)])
    seen = {"/"}
    while queue and len(found) < MAX_PAGES:
        url, depth = queue.popleft()
        response = client.get(url)
        if response.status_code >= 500 or response.status_code in (403, 404):
            # a link the role is shown must work for it: an action it may not take is not offered
            found[url] = [f"the link answers {response.status_code}"]
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue  # a download or a redirect
        html = response.content.decode()
        found[url] = problems(html)
        if user is not None:
            offered[url] = role_checked_actions(user, url, html)
        if depth >= MAX_DEPTH:
            continue
        for link in links_of(html):
            key = shape(link)
            if link in seen or shapes.get(key, 0) >= PER_SHAPE:
                continue
            seen.add(link)
            shapes[key] = shapes.get(key, 0) + 1
            queue.append((link, depth + 1))
    return found, offered


def demo_logins(seed_output: str) -> list[str]:
    """The printed logins, one per kind of person: the same roles in the same kind of organisation see the
    same pages (bank2 and bank3 add nothing to bank1)."""
    seen, out = set(), []
    for line in seed_output.splitlines():
        if not line.startswith("  "):
            continue
        user = User.objects.get(username=line.split()[0])
        key = (frozenset(user.roles()), user.organisation.kind if user.organisation_id else None)
        if key not in seen:
            seen.add(key)
            out.append(user.username)
    return out


def zh_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def scanned(demo_world, django_db_blocker) -> dict[str, tuple[dict, dict]]:
    """{username: crawl(...)} for one login per kind of person, crawled once for the module's scan tests."""
    with django_db_blocker.unblock():
        out = {}
        for username in demo_logins(demo_world):
            user = User.objects.get(username=username)
            out[username] = crawl(zh_client(user), user)
        return out


def test_every_page_of_every_role_reads_as_chinese(scanned):
    failures, reached = [], set()
    logins = list(scanned)
    assert {"admin", "reviewer", "auditor", "manager", "committee1", "bank1", "guarantor", "startup"} <= set(logins)
    for username in logins:
        pages = scanned[username][0]
        reached |= set(pages)
        for url, found in pages.items():
            if found:
                failures.append(f"[{username}] {url}\n    " + "\n    ".join(found))
    # the scan is only as good as its reach: each app's pages, items' own pages included, were read
    for prefix in ("/loans/", "/guarantees/", "/funds/", "/reports/", "/policy/"):
        assert any(u.startswith(prefix) for u in reached), f"no page under {prefix} reached"
    for detail in (r"/loans/\d+/", r"/guarantees/pools/\d+/", r"/funds/sub-funds/\d+/", r"/funds/deals/\d+/"):
        assert any(re.match(detail, u) for u in reached), f"no page {detail} reached"
    assert not failures, f"{len(failures)} page(s) show raw codes or English:\n" + "\n".join(failures)


def test_every_action_on_a_page_is_offered_only_to_roles_its_view_lets_through(scanned):
    """A button or link is shown exactly when ``{% can %}`` would say yes: on every page each role reaches, every
    POST form, htmx post and link whose view declares ``roles_required`` is one the role passes
    (finance.web.permissions.can_open), instead of a button answering 403."""
    failures, passed = [], set()
    for username, (_pages, offered) in scanned.items():
        roles = ", ".join(sorted(User.objects.get(username=username).roles())) or "no role"
        for url, checked in offered.items():
            refused = sorted({f"{kind} {target} → {view}, which lets through only {', '.join(sorted(needed))}"
                              for kind, target, view, needed, passes in checked if not passes})
            if refused:
                failures.append(f"[{username} ({roles})] {url}\n    " + "\n    ".join(refused))
            passed |= {(kind, view) for kind, _target, view, _needed, passes in checked if passes}
    # the check is only as good as its reach: role-guarded writes and pages of every app were offered and read
    posts = {view for kind, view in passed if kind != "link"}
    for view in ("funds:deal-action", "funds:nav-create", "loans:subsidy-decide", "policy-propose"):
        assert view in posts, f"no POST form to {view} was checked"
    assert len({view for _kind, view in passed}) >= 20, sorted(passed)
    assert not failures, (f"{len(failures)} page(s) offer actions their views refuse to the role:\n"
                          + "\n".join(failures))


# ---------------------------------------------------------------- screenshots
# In the same module as the scan: the demo world is seeded once for both. Chromium renders the real pages and
# the real static files; its requests are answered in-process by the Django test client (the live server's
# other thread could not see the module's uncommitted world).

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://kejin.test"
SCREENS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots" / "roles"
WIDTHS = (1366, 390)
ROLE_USERS = ("admin", "reviewer", "auditor", "manager", "committee1", "bank1", "guarantor", "startup",
              "university")


def _serve(username: str):
    """Answer Chromium's requests with the Django test client, signed in as ``username`` on first use (on the
    connection that serves the requests, so the session is there)."""
    client = None

    def handle(route):
        nonlocal client
        if client is None:
            client = zh_client(User.objects.get(username=username))
        request = route.request
        parts = urlsplit(request.url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
            return route.abort()  # nothing leaves the machine (self-hosted assets only)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if request.method == "GET":
            response = client.get(path)
        else:
            response = client.generic(request.method, path, request.post_data_buffer or b"",
                                      content_type=request.headers.get("content-type", ""))
        body = b"".join(response.streaming_content) if response.streaming else response.content
        headers = {k: v for k, v in response.items()}
        route.fulfill(status=response.status_code, headers=headers, body=body)

    return handle


@pytest.fixture(scope="module")
def chromium():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_main_pages_of_every_role_fit_the_screen(demo_world, chromium):
    """Each role's home and menu pages at 1,366 and 390 px: no horizontal overflow of the page itself (wide
    tables scroll inside their own box). The PNGs are kept under artifacts/screenshots/roles/."""
    from finance.web.navigation import items_for

    SCREENS.mkdir(parents=True, exist_ok=True)
    overflow, shots = [], 0
    for username in ROLE_USERS:
        user = User.objects.get(username=username)
        urls = ["/"] + [item["url"] for item in items_for(user)]
        for width in WIDTHS:
            context = chromium.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.route("**/*", _serve(username))
            for url in urls:
                page.goto(ORIGIN + url)
                scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                name = re.sub(r"[^a-z0-9]+", "-", url.strip("/").lower()) or "home"
                page.screenshot(path=str(SCREENS / f"{username}-{name}-{width}.png"))
                shots += 1
                if scroll > inner:
                    overflow.append(f"[{username}] {url} at {width}px: page is {scroll}px wide")
            context.close()
    assert shots >= 2 * len(ROLE_USERS)
    assert not overflow, "\n".join(overflow)


def test_the_pipeline_shows_all_stages_at_1366_and_moves_by_keyboard(demo_world, chromium):
    """Nine stage columns side by side without cutting a title, and a card's move menu is a real form control
    reachable with the keyboard."""
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.route("**/*", _serve("manager"))
    page.goto(ORIGIN + "/funds/deals/")
    columns = page.locator(".kj-pipeline-col")
    assert columns.count() == 9
    for i in range(9):
        box = columns.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, f"column {i + 1} is off screen"
    cut = page.evaluate("""[...document.querySelectorAll('.kj-pipeline-col a')]
        .filter(a => a.scrollWidth > a.clientWidth + 1).map(a => a.textContent)""")
    assert cut == []
    select = page.locator(".kj-pipeline-col select[name=to]").first
    select.focus()
    assert page.evaluate("document.activeElement.name") == "to"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    context.close()


# ---------------------------------------------------------------- files and error pages


def test_loan_export_has_labels_and_formatted_money(demo_world):
    """The XLSX a bank downloads reads like the page: Chinese labels, not codes; money as numbers with
    separators; dates as dates."""
    import datetime as dt
    import io
    from decimal import Decimal

    import openpyxl

    response = zh_client(User.objects.get(username="bank1")).get("/loans/export.xlsx")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())
    header = [c.value for c in rows[0]]
    assert header[5] == "本金（元）" and header[7] == "剩余本金（元）"
    assert len(rows) > 1
    for row in rows[1:]:
        values = [c.value for c in row]
        texts = [v for v in values if isinstance(v, str)]
        assert not any(SNAKE.search(t) or t in {"active", "normal", "overdue"} for t in texts), values
        principal, outstanding, disbursed = row[5], row[7], row[11]
        assert isinstance(principal.value, int | float | Decimal) and principal.number_format == "#,##0.00"
        assert isinstance(outstanding.value, int | float | Decimal) and outstanding.number_format == "#,##0.00"
        assert isinstance(disbursed.value, dt.datetime | dt.date)


def test_error_pages_are_in_the_layout_and_the_readers_language(demo_world):
    client = zh_client(User.objects.get(username="auditor"))
    missing = client.get("/loans/999999999/")
    assert missing.status_code == 404
    page = missing.content.decode()
    assert "此页面不存在" in page and "navbar" in page and "返回首页" in page
    forbidden = client.get("/funds/deals/new/")
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert "您无权打开此页面" in page and "navbar" in page and "Forbidden" not in page
    api = client.get("/api/v1/no-such-operation/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/problem+json")


def test_the_500_page_needs_no_request_or_database():
    """django.views.defaults.server_error renders 500.html with an empty context: it must not reach for the
    request, the user or the database (which may be what failed)."""
    from django.template import loader
    from django.utils import translation

    with translation.override("zh-hans"):
        html = loader.get_template("500.html").render()
    assert "系统出现错误" in html and "错误代码" in html and "bootstrap.min.css" in html
    assert problems(html) == []
