"""Every string people read goes through Django's translation machinery.

Templates: text outside ``{% translate %}`` / ``{% blocktranslate %}`` (and the attributes people read:
``title``, ``placeholder``, ``aria-label``, ``alt``, ``data-confirm``) is untranslated. Python: a
string literal given as a form field's ``label``/``help_text``, to ``ValidationError``, to
``add_error`` or to ``messages.*`` is untranslated. The scanners work on Django's own template lexer
and Python's ``ast``, so they see what the engines see.

``STILL_TO_TRANSLATE`` is the ratchet of the pages not yet moved to the catalogue: a file not listed
must have no untranslated string, and a listed file may not gain any. It shrinks to nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
#: Words that are names, the same in every language.
PROPER_NAMES = ("CS Dashboard",)
#: Files whose strings are not all in the catalogue yet, and how many untranslated strings each has.
STILL_TO_TRANSLATE: dict[str, int] = {}

_VISIBLE_ATTRS = re.compile(r'\b(title|placeholder|aria-label|alt|data-confirm)\s*=\s*"([^"]*)"')
_WORD = re.compile(r"[A-Za-z]{2,}")
_SKIP_OPEN = {"blocktranslate", "blocktrans", "comment", "verbatim"}
_SKIP_CLOSE = {"endblocktranslate", "endblocktrans", "endcomment", "endverbatim"}
_MARK = "\x01"  # where a variable or a tag was: never a word


def _flatten(source: str) -> str:
    """The template's literal text, with each tag and variable replaced by a mark and translated
    blocks and comments dropped."""
    parts, depth = [], 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            if not depth:
                parts.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            if bits and bits[0] in _SKIP_OPEN:
                depth += 1
            elif bits and bits[0] in _SKIP_CLOSE:
                depth -= 1
        if token.token_type != TokenType.COMMENT:
            parts.append(_MARK)
    return "".join(parts)


def untranslated_in_template(source: str) -> list[str]:
    text = _flatten(source)
    for name in PROPER_NAMES:
        text = text.replace(name, _MARK)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    found = [m.group(0) for m in _VISIBLE_ATTRS.finditer(text) if _WORD.search(m.group(2))]
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&#?\w+;", " ", text)
    found += [line.replace(_MARK, " ").strip() for line in text.splitlines() if _WORD.search(line)]
    return found


_KEYWORDS = {"label", "help_text", "empty_label"}


def _is_text(node: ast.AST) -> bool:
    """A literal sentence: a string, an f-string, or a dict or list of them (``ValidationError({...})``)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Dict):
        return any(_is_text(value) for value in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_is_text(item) for item in node.elts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_WORD.search(node.value))


def untranslated_in_python(source: str, *, keywords=_KEYWORDS) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        found += [
            f"{kw.arg}={ast.unparse(kw.value)}"
            for kw in node.keywords
            if kw.arg in keywords and _is_text(kw.value)
        ]
        on_messages = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "messages"
        if name == "ValidationError":
            candidates = node.args[:1]
        elif name == "add_error" or on_messages:
            candidates = node.args[1:2]
        else:
            continue
        found += [f"{name}({ast.unparse(arg)})" for arg in candidates if _is_text(arg)]
    return found


def _api_scan(source: str) -> list[str]:
    """The REST API's errors are for people too; its fields' help texts document the schema, which
    speaks the API's own vocabulary in English (as its keys do)."""
    return untranslated_in_python(source, keywords=set())


def _sources():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        yield path, untranslated_in_template
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        if path.parent.name == "migrations":
            continue
        if path.stem.endswith("forms") or path.stem.startswith("views") or path.parent.name == "views":
            yield path, _api_scan if path.parent.name == "api" else untranslated_in_python
        else:  # services, API inputs, ...: what they raise or flash reaches people too
            yield path, _api_scan


def _report() -> dict[str, list[str]]:
    return {
        str(path.relative_to(ROOT)): found
        for path, scan in _sources()
        if (found := scan(path.read_text(encoding="utf-8")))
    }


def test_no_page_or_form_gains_an_untranslated_string():
    report = _report()
    unlisted = {name: found for name, found in report.items() if name not in STILL_TO_TRANSLATE}
    assert not unlisted, "untranslated strings (wrap them in {% translate %} or _()):\n" + "\n".join(
        f"{name}: {found[:5]}" for name, found in unlisted.items()
    )
    grew = {
        name: (len(report[name]), allowed)
        for name, allowed in STILL_TO_TRANSLATE.items()
        if len(report.get(name, [])) > allowed
    }
    assert not grew, f"listed files gained untranslated strings (now, allowed): {grew}"


def test_the_ratchet_lists_only_what_is_still_to_do():
    report = _report()
    done = {
        name: allowed for name, allowed in STILL_TO_TRANSLATE.items() if len(report.get(name, [])) < allowed
    }
    assert not done, f"lower these counts in STILL_TO_TRANSLATE (or drop the files): {done}"


def test_the_scanners_see_untranslated_text():
    assert untranslated_in_template('<p title="Hello there">{% translate "Fine" %} Plain words</p>') == [
        'title="Hello there"',
        "Plain words",
    ]
    assert (
        untranslated_in_template(
            '{% load i18n %}<a href="{% url "x" %}">{% blocktranslate %}All {{ n }} jobs{% endblocktranslate %}</a>'
        )
        == []
    )
    assert untranslated_in_template("<td>{{ job.name }}</td><td>{{ job.cu }} · 3</td>") == []
    assert untranslated_in_python('forms.CharField(label="Name")') == ["label='Name'"]
    assert untranslated_in_python('forms.CharField(label=_("Name"))') == []
    assert untranslated_in_python('messages.success(request, f"{x} saved.")') == ["success(f'{x} saved.')"]
    assert untranslated_in_python('self.add_error("name", "Too long.")') == ["add_error('Too long.')"]
