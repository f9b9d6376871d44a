"""The OpenAPI schema (``/api/schema/``) and its documentation page (``/api/docs/``).

The docs page is Swagger UI served from this site (drf-spectacular-sidecar), with its start-up script
loaded as a separate file: the Content Security Policy allows no inline script.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny

from dashboard.api.authentication import ApiTokenAuthentication


class ApiSchemaView(SpectacularAPIView):
    """The schema describes the API, not any team's data: readable without signing in."""

    permission_classes = [AllowAny]
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    throttle_classes: list = []


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [AllowAny]
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    throttle_classes: list = []
