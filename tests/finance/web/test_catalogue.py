"""The Chinese catalogues are complete and compiled: no entry without a translation, no fuzzy entry (gettext
ignores those: the page would show English), and every compiled .mo says what its .po says (a .po edited but
not compiled shows the old text). Pure Python: the .po is parsed here, the .mo read by the standard library."""
import ast
import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SKIP = {".venv", "node_modules", ".git", "staticfiles"}


def catalogues() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
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
