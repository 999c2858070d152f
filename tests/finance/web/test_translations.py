"""All apps share one gettext catalogue: words that mean different things in different apps carry a context.

English is the source language: every translatable string is written in English in the code and templates and
translated to Chinese in the catalogues, so an English reader sees English everywhere without an en catalogue.
A Chinese term may follow in parentheses as a glossary hint ("Guarantees (鲁科担)"); a language's own name is
written in that language.
"""
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
HAN = re.compile(r"[\u3400-\u9fff]")
GLOSSARY_HINT = re.compile(r"\s*[(（][^()（）]*[)）]")
NATIVE_LANGUAGE_NAMES = {"简体中文"}


def not_english(text: str) -> bool:
    """Chinese outside a parenthesised glossary hint (and not a language's own name)."""
    return text not in NATIVE_LANGUAGE_NAMES and bool(HAN.search(GLOSSARY_HINT.sub("", text)))


def test_words_shared_between_apps_keep_their_own_meaning():
    with translation.override("zh-hans"):
        assert translation.gettext("Balance") == "剩余本金"  # a loan schedule's remaining principal
        assert translation.pgettext("pool", "Balance") == "余额"  # a pool's money
        assert translation.pgettext("fund", "Seed") == "种子期"  # a company's stage
        assert translation.pgettext("pool", "Seed") == "随机种子"  # the stress test's random seed
        assert translation.pgettext("fund", "Apply") == "应用"
        assert translation.gettext("Apply") == "申请"
        assert translation.gettext("Paid on") == "还款日期"  # a loan's installment
        assert translation.pgettext("fund", "Paid on") == "支付日"  # a fund's distribution
        assert translation.gettext("As of") == "分类日期"  # a loan's classification
        assert translation.pgettext("fund", "As of") == "基准日"  # a fund's valuation
        assert translation.gettext("Instrument") == "申请类别"  # what an enterprise applies for
        assert translation.pgettext("fund", "Instrument") == "投资方式"  # how a deal invests
        assert translation.gettext("Reject") == "否决"  # a committee, a policy proposal
        assert translation.pgettext("application", "Reject") == "驳回"  # a reviewer, an application or claim


def catalogue_sources(po: Path) -> list[tuple[int, str]]:
    """(line, text) of every msgctxt/msgid (continuation lines joined) of a .po file."""
    found, current, start = [], None, 0
    for number, line in enumerate(po.read_text(encoding="utf-8").splitlines(), 1):
        keyword = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
        if keyword:
            if current is not None:
                found.append((start, current))
            current, start = (keyword.group(2), number) if not keyword.group(1).startswith("msgstr") else (None, 0)
        elif line.startswith('"') and current is not None:
            current += line[1:-1]
    if current is not None:
        found.append((start, current))
    return found


def test_every_translatable_string_is_written_in_english():
    catalogues = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")  # the apps in finance/ too
                        if not {".venv", "node_modules", ".git"} & set(p.relative_to(ROOT).parts))
    assert {p.parts[-5] for p in catalogues} >= {"finance", "loans", "funds", "guarantees"}
    chinese = [f"{po.relative_to(ROOT)}:{line} {text!r}" for po in catalogues
               for line, text in catalogue_sources(po) if not_english(text)]
    assert chinese == [], "source strings must be English (the Chinese goes in msgstr)"


def test_the_catalogue_check_sees_a_chinese_source_string(tmp_path):
    po = tmp_path / "django.po"
    po.write_text('msgid "Balance"\nmsgstr "余额"\n\nmsgctxt "pool"\nmsgid ""\n"余额 of the pool"\nmsgstr "x"\n\n'
                  'msgid "Payout (代偿)"\nmsgstr "代偿"\n', encoding="utf-8")
    assert [text for _, text in catalogue_sources(po) if not_english(text)] == ["余额 of the pool"]


def test_a_page_in_english_is_english_and_in_chinese_is_chinese(client):
    assert ("en", "English") in [(code, str(name)) for code, name in settings.LANGUAGES]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/accounts/login/").content.decode()
    assert "Log in to Kejin" in english and "登录科金平台" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get("/accounts/login/").content.decode()
    assert "登录科金平台" in chinese and "Log in to Kejin" not in chinese
