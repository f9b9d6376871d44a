"""The OpenAPI schema (``/api/schema/``) and its documentation page (``/api/docs/``).

The docs page is Swagger UI served from this site (drf-spectacular-sidecar), with its start-up script
loaded as a separate file: the Content Security Policy allows no inline script and no other origin.
Where the sidecar package is not installed, the page lists the operations as plain HTML instead.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from dashboard.api.authentication import ApiTokenAuthentication

METHODS = ("get", "post", "put", "patch", "delete")


class ApiSchemaView(SpectacularAPIView):
    """The schema describes the API, not any team's data: readable without signing in."""

    permission_classes = [AllowAny]
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    throttle_classes: list = []


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    throttle_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if getattr(settings, "API_DOCS_SWAGGER", False):
            return super().get(request, *args, **kwargs)
        schema = SchemaGenerator().get_schema(request=None, public=True)
        operations = [
            {
                "method": method.upper(),
                "path": path,
                "summary": op.get("summary", ""),
                "tags": op.get("tags", []),
            }
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if method in METHODS
        ]
        return render(request._request, "api/docs.html", {"operations": operations, "info": schema["info"]})
