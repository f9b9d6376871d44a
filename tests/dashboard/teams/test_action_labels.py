"""Every action the dashboard records has a label in words, in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from dashboard.teams.models import ACTION_LABELS, ActionLog

ROOT = Path(__file__).resolve().parents[3] / "dashboard"


def _recorded_actions() -> set[str]:
    """``action="x.y"`` keyword arguments anywhere in the dashboard (either branch of a conditional),
    and the cluster calls named ``f"cluster.{action}"`` with their literal actions."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "action":
                values = (
                    [node.value.body, node.value.orelse]
                    if isinstance(node.value, ast.IfExp)
                    else [node.value]
                )
                for value in values:
                    if (
                        isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                        and "." in value.value
                    ):
                        found.add(value.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_cluster_action":
                literal = [
                    a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                found.update(f"cluster.{a}" for a in literal)
    return found


def test_every_recorded_action_has_a_label():
    recorded = _recorded_actions()
    assert {
        "job.run",
        "credential.create",
        "credential.update",
        "cluster.stop",
        "alert_rule.create",
    } <= recorded
    assert sorted(recorded - set(ACTION_LABELS)) == []


@pytest.mark.parametrize("action", sorted(ACTION_LABELS))
def test_labels_are_words_in_both_languages(action):
    entry = ActionLog(action=action, outcome=ActionLog.Outcome.SUCCESS)
    with translation.override("en"):
        english = str(entry.action_label)
        assert "." not in english and "_" not in english
        assert entry.get_outcome_display() == "Succeeded"
    with translation.override("zh-hans"):
        chinese = str(entry.action_label)
        assert chinese != english and entry.get_outcome_display() == "成功"
