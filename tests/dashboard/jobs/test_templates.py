"""Templates: list, create, edit, delete, the 100-template limit and the name rules, new job from template."""

from __future__ import annotations

import pytest
from django.utils import timezone

from csapi import limits
from dashboard.jobs.models import Template

from .conftest import team_url

pytestmark = pytest.mark.django_db


def tpl_url(name, template):
    return team_url(name, credential=template.credential.public_id, template_id=template.template_id)


@pytest.fixture
def template(synced, roles):
    return Template.objects.filter(team=roles.team).first()


def test_list_matrix(roles, login, synced, template):
    assert login(roles.outsider).get(team_url("template_list")).status_code == 404
    assert login(roles.viewer).post(team_url("template_list")).status_code == 405
    page = login(roles.viewer).get(team_url("template_list"))
    assert page.status_code == 200 and template.name in page.content.decode()
    assert "New job from template" not in page.content.decode()
    page = login(roles.operator).get(team_url("template_list")).content.decode()
    assert f"?template={template.credential.public_id}:{template.template_id}" in page


def test_write_matrix(roles, login, template, cs_calls):
    before = cs_calls.total()
    assert login(roles.viewer).get(team_url("template_create")).status_code == 403
    assert login(roles.viewer).post(tpl_url("template_edit", template), {"name": "x"}).status_code == 403
    assert login(roles.viewer).post(tpl_url("template_delete", template)).status_code == 403
    assert login(roles.outsider).post(tpl_url("template_delete", template)).status_code == 404
    assert login(roles.operator).get(tpl_url("template_delete", template)).status_code == 405
    assert (
        login(roles.operator)
        .get(team_url("template_edit", credential=template.credential.public_id, template_id=1))
        .status_code
        == 404
    )
    assert cs_calls.total() == before


def test_create_edit_delete(roles, login, synced):
    client = login(roles.operator)
    data = {"credential": str(synced.public_id), "name": "tpl_new", "desc": "d", "sql_body": "SELECT 1"}
    response = client.post(team_url("template_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    template = Template.objects.get(team=roles.team, name="tpl_new")
    response = client.post(
        tpl_url("template_edit", template), {"name": "tpl_renamed", "sql_body": "SELECT 2"}
    )
    assert response.status_code == 302, response.context["form"].errors
    template.refresh_from_db()
    assert template.name == "tpl_renamed" and template.sql_body == "SELECT 2"
    assert client.post(tpl_url("template_delete", template)).status_code == 302
    template.refresh_from_db()
    assert template.deleted_at is not None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "bad name"}, "name"),
        ({"name": "t" * (limits.TEMPLATE_NAME_MAX_BYTES + 1)}, "name"),
        ({"desc": "d" * (limits.TEMPLATE_DESC_MAX_BYTES + 1)}, "desc"),
        ({"sql_body": "s" * (limits.TEMPLATE_SQL_MAX_BYTES + 1)}, "sql_body"),
    ],
)
def test_bad_input_is_rejected_before_cs(roles, login, synced, cs_calls, data, field):
    before = cs_calls.total()
    body = {"credential": str(synced.public_id), "name": "ok_name", **data}
    response = login(roles.operator).post(team_url("template_create"), body)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert cs_calls.total() == before


def test_at_most_100_templates(roles, login, synced, cs_calls):
    now = timezone.now()
    have = Template.objects.filter(credential=synced, deleted_at__isnull=True).count()
    Template.objects.bulk_create(
        [
            Template(
                credential=synced,
                team=roles.team,
                template_id=800000 + i,
                name=f"t{i}",
                fingerprint="",
                last_seen=now,
            )
            for i in range(limits.TEMPLATES_MAX - have)
        ]
    )
    before = cs_calls.total()
    response = login(roles.operator).post(
        team_url("template_create"), {"credential": str(synced.public_id), "name": "one_more"}
    )
    assert response.status_code == 400
    assert "CS.18003" in str(response.context["form"].non_field_errors())
    assert cs_calls.total() == before
