"""What a person reads on a page, and what must never be in it (used by the page-scan and screenshot tests).

``visible_text`` keeps the text a browser shows (script, style, template and hidden inputs dropped; SVG chart
text kept; placeholders, titles and aria-labels kept because a person reads them too). ``problems`` names
every raw code, ``None``, dict/list repr, scientific-notation axis, unseparated amount and English-only label.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

# <code>/<kbd>/<samp>: a code the page means to show (a policy key, a file column name) and marks as such
SKIP_TAGS = {"script", "style", "template", "noscript", "head", "code", "kbd", "samp"}
# Latin text meant to show: units and ratios a Chinese reader knows by their codes, file formats, the
# language's own name in the language menu. NAV is not here: it reads 净值 in Chinese.
ALLOWED_LATIN = {
    "CNY", "XIRR", "IRR", "DPI", "TVPI", "RVPI", "MOIC", "PDF", "XLSX", "CSV", "JSON", "API", "URL", "HTTP",
    "HTTPS", "LPR", "LP", "GP", "TOTP", "ID", "OpenAPI", "Swagger", "ReDoc", "English", "USCC", "SME",
    "PNG", "JPG", "ZIP", "Excel", "KS-PME", "PME", "SVG", "OK", "Email", "e-mail", "bp", "A", "B", "C", "D", "AA", "AAA",
}
SNAKE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")
NONE = re.compile(r"(?<![\w-])None(?![\w-])")
REPR = re.compile(r"[{\[]'")
SCIENTIFIC = re.compile(r"(?<![\w.])\d(?:\.\d+)?e[+-]?\d+(?![\w.])")
# 10920.21: an amount of five or more integer digits written without thousands separators
UNSEPARATED = re.compile(r"(?<![\w.,:/-])\d{5,}\.\d{2}(?![\d%])")
LATIN_ONLY = re.compile(r"^[A-Za-z][A-Za-z .,'()/&:-]*$")
ARROW = re.compile(r"\b[a-z]+ → [a-z]+\b")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "input" and a.get("type") == "hidden":
            return
        for name in ("placeholder", "title", "aria-label", "alt"):
            if a.get(name):
                self.pieces.append(a[name].strip())
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.pieces.append(a["value"].strip())

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def visible_pieces(html: str) -> list[str]:
    """The page's text, one piece per text node (an element's own text) or readable attribute."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.pieces


def _latin_only(piece: str) -> bool:
    if not LATIN_ONLY.match(piece) or sum(c.isalpha() for c in piece) < 2:
        return False
    words = re.findall(r"[A-Za-z][A-Za-z-]*", piece)
    return not all(w in ALLOWED_LATIN for w in words)


def problems(html: str) -> list[str]:
    """Every piece of visible text a Chinese reader should not see, with what is wrong with it."""
    out = []
    for piece in visible_pieces(html):
        for name, pattern in (("raw code", SNAKE), ("None", NONE), ("repr", REPR), ("1e8 axis", SCIENTIFIC),
                              ("no thousands separator", UNSEPARATED), ("raw state change", ARROW)):
            if pattern.search(piece):
                out.append(f"{name}: {piece[:120]!r}")
        if _latin_only(piece):
            out.append(f"English: {piece[:120]!r}")
    return sorted(set(out))


class _Actions(HTMLParser):
    """Where a page lets a person go or write: links, POST forms (no action: the page itself), htmx posts and
    buttons' ``formaction``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.found.append(("link", a["href"]))
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self.found.append(("POST form", a.get("action") or ""))
        if a.get("hx-post") is not None:
            self.found.append(("htmx POST", a["hx-post"] or ""))
        if tag in ("button", "input") and a.get("formaction"):
            self.found.append(("button formaction", a["formaction"]))


def actions(html: str) -> list[tuple[str, str]]:
    """(kind, target) of every link and POST target on the page, in page order; an empty target is the page
    itself."""
    parser = _Actions()
    parser.feed(html)
    parser.close()
    return parser.found
