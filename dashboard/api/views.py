"""REST API views. Each one parses, calls a selector or a service of its app, and shapes the answer.

Team views derive from :class:`~dashboard.api.base.TeamEndpoint`: the team is resolved for the caller
with the method's role before the handler runs, and handlers receive the ``access``.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from csapi import vocab
from dashboard.api import docs
from dashboard.api import serializers as s
from dashboard.api.base import TeamEndpoint
from dashboard.api.pagination import page_of, paginated
from dashboard.jobs import selectors as job_selectors
from dashboard.jobs import services as job_services
from dashboard.polling.selectors import freshness, poll_health_rows
from dashboard.teams.models import Role
from dashboard.teams.selectors import teams_with_roles

TAG_TEAMS = ["teams"]
TAG_JOBS = ["jobs"]
TAG_TEMPLATES = ["templates"]
TAG_CLUSTERS = ["clusters"]
TAG_USAGE = ["usage"]
TAG_POLLING = ["polling"]

JOB_EXAMPLE = {
    "key": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f:1203",
    "job_id": 1203,
    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
    "credential_name": "production",
    "service": "cs",
    "name": "clickstream_agg",
    "job_type": vocab.FLINK_SQL_JOB,
    "status": vocab.JOB_RUNNING,
    "status_label": "Running",
    "status_group": "running",
    "status_desc": "",
    "run_mode": vocab.SHARED_CLUSTER,
    "cluster_id": None,
    "cluster_name": "",
    "queue_name": "",
    "unit": "spu",
    "spu_number": 2,
    "cu_number": None,
    "restart_times": None,
    "parallel_number": 1,
    "start_time": "2024-05-02T09:30:00Z",
    "duration": 3600000,
    "read_rate": 120.5,
    "write_rate": 118.0,
    "update_time": "2024-05-02T09:29:58Z",
    "last_seen": "2024-05-02T10:30:00Z",
}

DLI_JOB_EXAMPLE = {
    **JOB_EXAMPLE,
    "key": "9b2e4d71-3c6a-4f0e-8a15-7d9c2e4b6a10:70012",
    "job_id": 70012,
    "credential": "9b2e4d71-3c6a-4f0e-8a15-7d9c2e4b6a10",
    "credential_name": "production (DLI)",
    "service": "dli",
    "name": "orders_enrich",
    "job_type": vocab.DLI_DEFAULT_SQL_JOB_TYPE,
    "queue_name": "acme_flink_prod",
    "unit": "cu",
    "spu_number": None,
    "cu_number": 4,
    "restart_times": 0,
    "parallel_number": 4,
}


def team_url(request, access, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"team_slug": access.team.slug, **kwargs}, request=request)


# ------------------------------------------------------------------------------------------ teams


class TeamList(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAG_TEAMS,
        operation_id="teams_list",
        summary="Teams the caller belongs to",
        responses={200: s.TeamSerializer(many=True), 401: docs.UNAUTHENTICATED},
        examples=[
            OpenApiExample(
                "teams",
                value=[
                    {
                        "slug": "alpha",
                        "name": "Alpha Stream",
                        "role": "operator",
                        "url": "https://dashboard.example.com/api/v1/teams/alpha/",
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request):
        rows = [
            {
                "slug": team.slug,
                "name": team.name,
                "role": s.role_name(role),
                "url": reverse("api:team_detail", kwargs={"team_slug": team.slug}, request=request),
            }
            for team, role in teams_with_roles(request.user)
        ]
        return Response(s.TeamSerializer(rows, many=True).data)


class TeamDetail(TeamEndpoint):
    @extend_schema(
        tags=TAG_TEAMS,
        operation_id="team_retrieve",
        summary="One team, with the caller's role",
        responses=docs.responses(s.TeamSerializer),
        examples=[
            OpenApiExample(
                "team",
                value={
                    "slug": "alpha",
                    "name": "Alpha Stream",
                    "role": "viewer",
                    "url": "https://dashboard.example.com/api/v1/teams/alpha/",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, access, **kwargs):
        data = {
            "slug": access.team.slug,
            "name": access.team.name,
            "role": s.role_name(access.role),
            "url": team_url(request, access, "api:team_detail"),
        }
        return Response(s.TeamSerializer(data).data)


# ------------------------------------------------------------------------------------------ polling


class PollHealthView(TeamEndpoint):
    @extend_schema(
        tags=TAG_POLLING,
        operation_id="poll_health",
        summary="How fresh the team's snapshots are, per credential and kind of data",
        responses=docs.responses(s.PollHealthReportSerializer),
        examples=[
            OpenApiExample(
                "poll health",
                response_only=True,
                value={
                    "freshness": {
                        "stale": False,
                        "last_updated": "2024-05-02T10:29:45Z",
                        "age_seconds": 15.2,
                        "needs_attention": [],
                        "errors": [],
                        "kinds": {
                            "jobs": {
                                "last_success": "2024-05-02T10:29:45Z",
                                "age_seconds": 15.2,
                                "stale": False,
                                "consecutive_failures": 0,
                            }
                        },
                    },
                    "credentials": [
                        {
                            "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
                            "credential_name": "production",
                            "kind": "jobs",
                            "last_attempt": "2024-05-02T10:29:45Z",
                            "last_success": "2024-05-02T10:29:45Z",
                            "last_error": "",
                            "last_error_at": None,
                            "consecutive_failures": 0,
                            "failing": False,
                            "next_attempt": "2024-05-02T10:30:00Z",
                            "last_duration_ms": 84,
                            "last_items": 12,
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request, access, **kwargs):
        return Response(
            {
                "freshness": freshness(access.team).as_dict(),
                "credentials": s.PollHealthSerializer(poll_health_rows(access.team), many=True).data,
            }
        )


# ------------------------------------------------------------------------------------------ jobs

#: Job types of both services (DLI adds Flink OpenSource SQL), as the list filters take them.
JOB_TYPES = job_selectors.ALL_JOB_TYPES

JOB_LIST_PARAMS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[*vocab.JOB_STATUS_GROUPS, *vocab.JOB_STATUSES],
        description="A status group (`running`, ...) or one status (`job_running`, ...).",
    ),
    OpenApiParameter("type", OpenApiTypes.STR, enum=list(JOB_TYPES), description="Job type (CS's or DLI's)."),
    OpenApiParameter("mode", OpenApiTypes.STR, enum=list(vocab.RUN_MODES), description="Run mode."),
    OpenApiParameter(
        "service",
        OpenApiTypes.STR,
        enum=list(job_selectors.SERVICES),
        description="Only jobs of CS or of DLI credentials.",
    ),
    OpenApiParameter("cluster", OpenApiTypes.INT, description="Exclusive cluster id (CS)."),
    OpenApiParameter("queue", OpenApiTypes.STR, description="DLI queue name."),
    OpenApiParameter("credential", OpenApiTypes.UUID, description="Only jobs of this credential."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Search in job names."),
    OpenApiParameter(
        "sort",
        OpenApiTypes.STR,
        enum=[*job_selectors.SORTS, *(f"-{k}" for k in job_selectors.SORTS)],
        description=f"Sort key; `-` reverses. Default `{job_selectors.DEFAULT_SORT}`.",
    ),
    *docs.PAGE_PARAMS,
]


def job_list_rows(jobs):
    """A job list queryset loading what a list row shows for both services (still one query)."""
    return jobs.only(*job_selectors.LIST_COLUMNS, *s.LIST_EXTRA_COLUMNS)


class JobList(TeamEndpoint):
    @extend_schema(
        tags=TAG_JOBS,
        operation_id="jobs_list",
        summary="The team's jobs of both services, filtered, searched, sorted and paged as on the jobs page",
        description="Served from snapshots (never calls the cloud). CS and DLI jobs share one shape: `service` "
        "says which, `unit` whether `spu_number` or `cu_number` holds the size, `cluster_id` or `queue_name` "
        "where it runs. Unknown filter values are ignored, as on the page.",
        parameters=JOB_LIST_PARAMS,
        responses=docs.responses(page_of(s.JobListSerializer)),
        examples=[
            OpenApiExample(
                "a page of jobs",
                response_only=True,
                value={
                    "count": 2,
                    "page": 1,
                    "pages": 1,
                    "next": None,
                    "previous": None,
                    "results": [JOB_EXAMPLE, DLI_JOB_EXAMPLE],
                    "freshness": {
                        "stale": False,
                        "last_updated": "2024-05-02T10:30:00Z",
                        "age_seconds": 3.1,
                        "needs_attention": [],
                        "errors": [],
                        "kinds": {},
                    },
                },
            )
        ],
    )
    def get(self, request, access, **kwargs):
        filters = job_selectors.JobFilters.from_query(request.query_params)  # service and queue too
        jobs = job_list_rows(job_selectors.job_list(access.team, filters))
        return paginated(
            request,
            self,
            jobs,
            s.JobListSerializer,
            extra={"freshness": freshness(access.team, ["jobs", "metrics"]).as_dict()},
        )


class JobEndpoint(TeamEndpoint):
    """A view of one job: ``credential`` (public id) and ``job_id`` in the URL."""

    def get_job(self, access, credential, job_id):
        return job_selectors.job_get(access.team, credential, job_id)


class JobDetail(JobEndpoint):
    required_roles = {"GET": Role.VIEWER, "DELETE": Role.OPERATOR}

    @extend_schema(
        operation_id="job_delete",
        tags=TAG_JOBS,
        summary="Delete a job",
        request=None,
        responses=docs.responses(OpenApiResponse(description="Deleted in CS."), write=True, status=204),
    )
    def delete(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        job_services.job_delete(access=access, user=request.user, job=job)
        return Response(status=204)

    @extend_schema(
        tags=TAG_JOBS,
        operation_id="job_retrieve",
        summary="One job, as last polled (DLI jobs with their queue, CUs, TaskManagers, savepoint path, "
        "restart count, Flink version, tags and resume settings)",
        responses=docs.responses(s.JobDetailSerializer),
        examples=[
            OpenApiExample(
                "job",
                response_only=True,
                value={
                    **JOB_EXAMPLE,
                    "desc": "",
                    "username": "ops",
                    "create_time": "2024-05-01T08:00:00Z",
                    "has_savepoint": False,
                    "checkpoint_enabled": True,
                    "log_enabled": True,
                    "records_in": 1200,
                    "records_out": 1180,
                    "corrupted_records": 0,
                    "metrics_at": "2024-05-02T10:30:00Z",
                    "deleted": False,
                    "sql_body": "INSERT INTO sink SELECT * FROM source;",
                    "job_config": {},
                    "root_id": None,
                    "edge_group_ids": "",
                    "graph_editor_enabled": False,
                    "jar_url": "",
                    "main_class": "",
                    "args": "",
                    "execution_graph": "",
                    "first_seen": "2024-05-01T08:00:05Z",
                    "manager_cu_number": None,
                    "tm_cus": None,
                    "tm_slot_num": None,
                    "savepoint_path": "",
                    "flink_version": "",
                    "tags": [],
                    "resume_checkpoint": None,
                    "resume_max_num": None,
                },
            )
        ],
    )
    def get(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        return Response(s.JobDetailSerializer(job).data)


class JobStatusHistory(JobEndpoint):
    @extend_schema(
        tags=TAG_JOBS,
        operation_id="job_status_history",
        summary="A job's status changes, newest first",
        responses=docs.responses(s.JobStatusChangeSerializer(many=True)),
        examples=[
            OpenApiExample(
                "history",
                response_only=True,
                value=[
                    {
                        "previous_status": vocab.JOB_SUBMITTING,
                        "status": vocab.JOB_RUNNING,
                        "status_desc": "",
                        "observed_at": "2024-05-02T09:30:12Z",
                    },
                ],
            )
        ],
    )
    def get(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        return Response(s.JobStatusChangeSerializer(job_selectors.job_status_history(job), many=True).data)


class JobMetrics(JobEndpoint):
    @extend_schema(
        tags=TAG_JOBS,
        operation_id="job_metrics",
        summary="A job's metric series, oldest first",
        responses=docs.responses(s.MetricSampleSerializer(many=True)),
        examples=[
            OpenApiExample(
                "metrics",
                response_only=True,
                value=[
                    {
                        "sampled_at": "2024-05-02T10:29:30Z",
                        "records_in": 1200,
                        "records_out": 1180,
                        "corrupted_records": 0,
                        "read_rate": 120.5,
                        "write_rate": 118.0,
                        "sources": [],
                        "sinks": [],
                    },
                ],
            )
        ],
    )
    def get(self, request, access, credential, job_id, **kwargs):
        job = self.get_job(access, credential, job_id)
        return Response(s.MetricSampleSerializer(job_selectors.job_metric_samples(job), many=True).data)


# ------------------------------------------------------------------------------------------ fallback


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, *args, **kwargs):
    raise NotFound("No such API endpoint.")
