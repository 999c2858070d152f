"""The Chinese catalogues are complete and compiled: no entry without a translation, no fuzzy entry (gettext
ignores those: the page would show English), and every compiled .mo says what its .po says (a .po edited but
not compiled shows the old text). Django merges the apps' catalogues into one per language (the first
translation found wins), so one (context, msgid) has one translation in all of them. Pure Python: the .po is
parsed here, the .mo read by the standard library."""
import ast
import gettext
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SKIP = {".venv", "node_modules", ".git", "staticfiles"}


def catalogues(language: str = "zh_Hans") -> list[Path]:
    return sorted(p for p in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po")
                  if not SKIP & set(p.relative_to(ROOT).parts))


def entries(po: Path) -> list[dict]:
    """Every entry of a .po: its flags, context, msgid, plural and translations, and its first line."""
    out, entry, key = [], None, None
    for number, raw in enumerate(po.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue  # obsolete entries are not used
        if entry is None:
            entry = {"line": number, "flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None,
                     "msgstr": {}}
            out.append(entry)
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if m:
            key = ("msgstr", int(m.group(2) or 0)) if m.group(1).startswith("msgstr") else m.group(1)
            text = ast.literal_eval(m.group(3))
        elif line.startswith('"') and key is not None:
            text = ast.literal_eval(line)
        else:
            raise AssertionError(f"{po}:{number}: cannot read {raw!r}")
        if isinstance(key, tuple):
            entry["msgstr"][key[1]] = entry["msgstr"].get(key[1], "") + text
        else:
            entry[key] = (entry[key] or "") + text
    return [e for e in out if e["msgid"] is not None]


def test_there_are_catalogues():
    assert len(catalogues()) >= 4, catalogues()


def test_no_untranslated_or_fuzzy_entry():
    problems = []
    for po in catalogues():
        for e in entries(po):
            if e["msgid"] == "":
                continue  # the header
            where = f"{po.relative_to(ROOT)}:{e['line']} {e['msgid'][:60]!r}"
            if "fuzzy" in e["flags"]:
                problems.append(f"fuzzy: {where}")
            if not e["msgstr"] or any(not s for s in e["msgstr"].values()):
                problems.append(f"untranslated: {where}")
    assert not problems, "\n".join(problems)


def test_every_mo_is_compiled_from_its_po():
    stale = []
    for po in catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists():
            stale.append(f"{mo.relative_to(ROOT)} missing")
            continue
        with mo.open("rb") as f:
            compiled = gettext.GNUTranslations(f)._catalog
        for e in entries(po):
            if e["msgid"] == "" or "fuzzy" in e["flags"]:
                continue
            key = e["msgid"] if e["msgctxt"] is None else f"{e['msgctxt']}\x04{e['msgid']}"
            if e["msgid_plural"] is not None:
                got = {n: compiled.get((key, n)) for n in e["msgstr"]}
                want = e["msgstr"]
            else:
                got, want = compiled.get(key), e["msgstr"].get(0)
            if got != want:
                stale.append(f"{mo.relative_to(ROOT)}: {e['msgid'][:60]!r} compiled as {got!r}, .po says {want!r}")
    assert not stale, "compile the catalogues (compilemessages):\n" + "\n".join(stale[:40])


def translated_two_ways(pos: list[Path], root: Path = ROOT) -> list[str]:
    """(context, msgid) pairs translated differently by two of ``pos`` (one language's catalogues), with the
    catalogues and their translations: Django shows the first app's text on every page, whatever it means."""
    seen = defaultdict(lambda: defaultdict(list))
    for po in pos:
        for e in entries(po):
            if e["msgid"] == "" or "fuzzy" in e["flags"] or not any(e["msgstr"].values()):
                continue  # the header; entries gettext ignores (reported by the test above)
            text = " | ".join(e["msgstr"][n] for n in sorted(e["msgstr"]))
            seen[(e["msgctxt"], e["msgid"])][text].append(f"{po.relative_to(root)}:{e['line']}")
    return [f"{msgid!r}" + (f" (context {context!r})" if context is not None else "") + ": "
            + "; ".join(f"{text!r} in {', '.join(where)}" for text, where in texts.items())
            for (context, msgid), texts in seen.items() if len(texts) > 1]


def test_one_translation_per_msgid_across_the_catalogues():
    """A word that means different things in two apps carries a context (pgettext, {% translate … context %})."""
    languages = {p.parts[-3] for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po")
                 if not SKIP & set(p.relative_to(ROOT).parts)}
    assert "zh_Hans" in languages
    problems = [f"{language}: {line}" for language in sorted(languages)
                for line in translated_two_ways(catalogues(language))]
    assert not problems, ("the same msgid translated two ways (give one use a context, or one wording):\n"
                          + "\n".join(problems))


def test_the_check_sees_a_msgid_translated_two_ways(tmp_path):
    (tmp_path / "loans").mkdir()
    (tmp_path / "funds").mkdir()
    loans, funds = tmp_path / "loans" / "django.po", tmp_path / "funds" / "django.po"
    loans.write_text('msgid ""\nmsgstr "Language: zh_Hans\\n"\n\nmsgid "Paid on"\nmsgstr "还款日期"\n\n'
                     'msgid "Amount"\nmsgstr "金额"\n', encoding="utf-8")
    funds.write_text('msgid "Paid on"\nmsgstr "支付日"\n\nmsgctxt "fund"\nmsgid "Amount"\nmsgstr "数额"\n\n'
                     'msgid "Amount"\nmsgstr "金额"\n\n#, fuzzy\nmsgid "Due date"\nmsgstr "x"\n', encoding="utf-8")
    found = translated_two_ways([loans, funds], root=tmp_path)
    assert len(found) == 1 and found[0].startswith("'Paid on': '还款日期' in loans/django.po:4")
    assert "'支付日' in funds/django.po:1" in found[0]
