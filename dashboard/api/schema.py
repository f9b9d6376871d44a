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

#: What the API serves, for the schema's description: both services a credential may speak.
API_DESCRIPTION = (
    "Teams' stream jobs on Huawei Cloud, on Cloud Stream Service (CS) and on its successor, DLI's Flink "
    "jobs, side by side: jobs, templates, CS's exclusive clusters and DLI's queues, quotas and billing. A "
    "credential speaks one service; every job, template, queue and quota names it in `service` (`cs` or "
    "`dli`). A job is sized in SPUs on a cluster (CS: `spu_number`, `cluster_id`) or in CUs on a queue "
    "(DLI: `cu_number`, `queue_name`); `unit` says which. Reads are served from the dashboard's "
    "snapshots; writes go to the credential's service. Authenticate with a personal API token "
    "(`Authorization: Bearer <token>`) or the browser session (with the CSRF token)."
)


class ApiSchemaView(SpectacularAPIView):
    """The schema describes the API, not any team's data: readable without signing in."""

    custom_settings = {"DESCRIPTION": API_DESCRIPTION}
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
        schema["info"]["description"] = API_DESCRIPTION
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
