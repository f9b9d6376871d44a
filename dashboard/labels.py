"""The vocabulary's labels in the person's language.

``csapi.vocab`` holds every status, type and option label once, in English, marked with its own
``gettext_noop`` so that ``makemessages`` puts them in the catalogue (csapi stays Django-free). At
start-up, :func:`translate_vocabulary` swaps each marked label of the vocabulary's tables for a lazy
translation of itself, in place: every page, form, API answer and message that shows a label then
shows it in the active language, wherever it reads it from.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from csapi import vocab

#: Fields of the vocabulary's records (JobStatus, ClusterStatus, ComputeUnit) that people read.
_TEXT_FIELDS = ("label", "description")


def _translated(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Promise) and value in vocab.LABELS:
        return gettext_lazy(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            name: gettext_lazy(getattr(value, name))
            for name in _TEXT_FIELDS
            if isinstance(getattr(value, name, None), str) and getattr(value, name) in vocab.LABELS
        }
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):  # a (value, label) choice
        return (value[0], _translated(value[1]))
    return value


def translate_vocabulary() -> None:
    """Make every marked label of ``csapi.vocab``'s dicts and choice tuples translate where shown."""
    for name in dir(vocab):
        table = getattr(vocab, name)
        if isinstance(table, dict):
            for key, value in table.items():
                table[key] = _translated(value)
        elif isinstance(table, tuple) and table and all(isinstance(v, tuple) for v in table):
            setattr(vocab, name, tuple(_translated(v) for v in table))
