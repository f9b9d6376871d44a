"""The OpenAPI schema and its documentation page, served by this site without inline script."""

from __future__ import annotations

import json

import pytest


@pytest.mark.django_db
def test_schema_documents_every_api_route(client):
    from django.urls import get_resolver

    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/v1/teams/{team_slug}/jobs/" in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            assert operation.get("summary"), (method, path)
            assert "401" in operation["responses"], (method, path)
            if path.startswith("/api/v1/teams/{team_slug}/"):
                assert {"403", "404"} <= set(operation["responses"]), (method, path)
    # Every team route of the URLconf appears in the schema.
    routes = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                routes.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    team_routes = [r for r in routes if r.startswith("api/v1/teams/<slug:team_slug>/")]
    assert len(team_routes) == len([p for p in paths if p.startswith("/api/v1/teams/{team_slug}/")])
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_schema_has_examples_for_writes(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    create = schema["paths"]["/api/v1/teams/{team_slug}/jobs/sql/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert (
        "multipart/form-data"
        in schema["paths"]["/api/v1/teams/{team_slug}/jobs/jar/"]["post"]["requestBody"]["content"]
    )


@pytest.mark.django_db
def test_docs_page_loads_only_local_scripts(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html  # no inline script (CSP script-src 'self')
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "javascript" in script["Content-Type"]
    for src in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert src in html
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


@pytest.mark.django_db
def test_docs_page_without_the_swagger_assets_lists_the_operations(client, settings):
    settings.API_DOCS_SWAGGER = False
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/teams/{team_slug}/jobs/sql/" in html and "Create a SQL job" in html
    assert "<script>" not in html
