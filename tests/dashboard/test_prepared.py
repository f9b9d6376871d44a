"""Queries compiled once: the same rows as the ORM, parameters checked, SQL compiled only the first time."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.prepared import PreparedQuery, instance
from dashboard.teams.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_rows_match_the_orm_with_columns_converted(roles):
    query = PreparedQuery(
        lambda slug, user_id: Membership.objects.filter(team__slug=slug, user_id=user_id).values_list(
            "role", "team__name", "team__created_at"
        ),
        slug=str,
        user_id=int,
    )
    for user in (roles.lead, roles.viewer, roles.outsider):
        expected = list(
            Membership.objects.filter(team__slug="alpha", user_id=user.pk).values_list(
                "role", "team__name", "team__created_at"
            )
        )
        assert query.rows(slug="alpha", user_id=user.pk) == expected
    row = query.first(slug="alpha", user_id=roles.viewer.pk)
    assert isinstance(row[2], datetime) and row[2].tzinfo is not None
    assert query.first(slug="beta", user_id=roles.viewer.pk) is None


def test_sql_is_compiled_once_and_runs_as_one_logged_statement(roles, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    query = PreparedQuery(lambda slug: Team.objects.filter(slug=slug).values_list("id", "name"), slug=str)
    query.first(slug="alpha")
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    with CaptureQueriesContext(connection) as queries:
        assert query.first(slug="beta") == (roles.other_team.pk, "Beta Stream")
    assert compiled == [] and len(queries) == 1


def test_parameters_are_checked():
    query = PreparedQuery(lambda pk: Team.objects.filter(pk=pk).values_list("id"), pk=int)
    with pytest.raises(TypeError):
        query.rows(pk="1")
    with pytest.raises(TypeError):
        query.rows(pk=True)
    with pytest.raises(TypeError):
        query.rows()
    twice = PreparedQuery(lambda pk: Team.objects.filter(pk=pk, id__gte=pk).values_list("id"), pk=int)
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.rows(pk=1)


def test_a_hostile_value_is_a_parameter_not_sql(roles):
    query = PreparedQuery(lambda slug: Team.objects.filter(slug=slug).values_list("id"), slug=str)
    assert query.rows(slug="alpha' OR '1'='1") == []
    assert Team.objects.count() == 2


def test_instance_builds_the_model_as_the_orm_does(roles):
    team = instance(Team, ["version", "id", "name"], [3, roles.team.pk, "Alpha Stream"])
    assert (team.pk, team.name, team.version) == (roles.team.pk, "Alpha Stream", 3)
    assert team.slug == "alpha"  # a column not given loads on use
    with pytest.raises(ValueError):
        instance(Team, ["nope"], [1])


def test_uncompiled_mode_answers_the_same_rows(roles, monkeypatch):
    """The benchmark's floor (Django compiling the QuerySet each time) reads what the prepared SQL reads."""
    query = PreparedQuery(
        lambda slug, user_id: Membership.objects.filter(team__slug=slug, user_id=user_id).values_list(
            "role", "team__name", "team__created_at"
        ),
        slug=str,
        user_id=int,
    )
    prepared = query.rows(slug="alpha", user_id=roles.lead.pk)
    monkeypatch.setattr(PreparedQuery, "compiled", False)
    assert query.rows(slug="alpha", user_id=roles.lead.pk) == prepared != []
    assert query.first(slug="beta", user_id=roles.lead.pk) is None
