"""The committed catalogues: each compiled ``django.mo`` says what its ``django.po`` says.

The ``.mo`` files are committed so that ``make run`` needs nothing but Python (no gettext). This test
compiles every ``.po`` with gettext's ``msgfmt --check`` (installed for the tests by
``scripts/ensure-test-tools.sh``) and compares the messages with the committed ``.mo``: an edited
catalogue that was not compiled again (``make messages``) fails here.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def _messages(mo: Path) -> dict:
    with mo.open("rb") as fh:
        catalog = dict(gettext.GNUTranslations(fh)._catalog)
    catalog.pop("", None)  # the header (creation dates differ between compilers)
    return catalog


def test_there_are_catalogues_for_every_language():
    languages = {path.parent.parent.name for path in CATALOGUES}
    assert languages == {translation.to_locale(code) for code, _ in settings.LANGUAGES}


@pytest.mark.parametrize("po", CATALOGUES, ids=[p.parent.parent.name for p in CATALOGUES])
def test_compiled_catalogue_matches_its_source(po, tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (scripts/ensure-test-tools.sh installs it)"
    compiled = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(compiled), str(po)], check=True)
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run `make messages`"
    assert _messages(committed) == _messages(compiled), f"{committed} is out of date: run `make messages`"


def test_chinese_catalogue_is_complete():
    """Every message of the Chinese catalogue has a translation (no empty or fuzzy entry)."""
    po = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') or "#, fuzzy" in e]
    assert not untranslated, untranslated[:5]
