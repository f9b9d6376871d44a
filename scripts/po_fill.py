"""Fill a gettext catalogue's empty translations from a JSON mapping (msgid -> msgstr, or msgid ->
[forms...] for plural entries), for adding many translations at once after `make messages`:

    python scripts/po_fill.py locale/zh_Hans/LC_MESSAGES/django.po new-translations.json
    make messages   # compiles the .mo files (committed beside their .po)

Entries already translated are left alone unless --force; the header loses its "fuzzy" flag and gets
its Language field. Prints the msgids that still have no translation.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _fields(block: list[str]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    current = None
    for line in block:
        match = re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?|msgctxt) (\".*\")$", line)
        if match:
            current = match.group(1)
            fields[current] = [match.group(2)]
        elif line.startswith('"') and current:
            fields[current].append(line)
    return fields


def fill(po_path: Path, mapping: dict, language: str, force: bool = False) -> list[str]:
    blocks = po_path.read_text(encoding="utf-8").strip("\n").split("\n\n")
    out, missing = [], []
    for index, text in enumerate(blocks):
        lines = text.split("\n")
        fields = _fields(lines)
        comments = [line for line in lines if line.startswith("#")]
        msgid = _unquote(fields.get("msgid", ['""']))
        if index == 0 and msgid == "":
            text = text.replace("#, fuzzy\n", "").replace('"Language: \\n"', f'"Language: {language}\\n"')
            out.append(text)
            continue
        plural = "msgid_plural" in fields
        translated = all(_unquote(v) for k, v in fields.items() if k.startswith("msgstr")) and any(
            k.startswith("msgstr") for k in fields
        )
        value = mapping.get(msgid)
        if value is None or (translated and not force):
            if not translated:
                missing.append(msgid)
            out.append(text)
            continue
        comments = [c for c in comments if c != "#, fuzzy"] + ([] if not comments else [])
        new = [c for c in comments]
        if "msgctxt" in fields:
            new.append("msgctxt " + "\n".join(fields["msgctxt"]))
        new.append("msgid " + "\n".join(fields["msgid"]))
        if plural:
            new.append("msgid_plural " + "\n".join(fields["msgid_plural"]))
            forms = value if isinstance(value, list) else [value]
            for i, form in enumerate(forms):
                new.append(f"msgstr[{i}] {_quote(form)}")
        else:
            new.append(f"msgstr {_quote(value if isinstance(value, str) else value[0])}")
        out.append("\n".join(new))
    po_path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return missing


def main(argv: list[str]) -> int:
    force = "--force" in argv
    args = [a for a in argv if a != "--force"]
    po_path, json_path = Path(args[0]), Path(args[1])
    language = po_path.parent.parent.name
    missing = fill(po_path, json.loads(json_path.read_text(encoding="utf-8")), language, force)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
