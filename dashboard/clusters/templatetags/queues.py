"""``{% team_has_queues team as has_queues %}``: whether the navigation offers the queues page."""

from __future__ import annotations

from django import template

from dashboard.clusters.selectors import team_has_queues as _team_has_queues

register = template.Library()


@register.simple_tag
def team_has_queues(team) -> bool:
    """Whether ``team`` has a DLI credential (one query; asked only for leads' navigation)."""
    return bool(team) and _team_has_queues(team)
