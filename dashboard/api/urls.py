"""``/api/v1/``: teams, and per team its jobs, templates, clusters, usage and poll health."""

from __future__ import annotations

from django.urls import include, path, re_path, register_converter

from dashboard.api import views


class CSIdConverter:
    """A CS numeric id (job, template, cluster, host mapping): 1 to 18 digits, so it fits a bigint."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(CSIdConverter, "csid")

app_name = "api"

JOB = "jobs/<uuid:credential>/<csid:job_id>/"

team_patterns = [
    path("", views.TeamDetail.as_view(), name="team_detail"),
    path("poll-health/", views.PollHealthView.as_view(), name="poll_health"),
    path("jobs/", views.JobList.as_view(), name="job_list"),
    path(JOB, views.JobDetail.as_view(), name="job_detail"),
    path(JOB + "status-history/", views.JobStatusHistory.as_view(), name="job_status_history"),
    path(JOB + "metrics/", views.JobMetrics.as_view(), name="job_metrics"),
]

v1_patterns = [
    path("teams/", views.TeamList.as_view(), name="team_list"),
    path("teams/<slug:team_slug>/", include(team_patterns)),
]

urlpatterns = [
    path("v1/", include(v1_patterns)),
    # Anything else under /api/ answers in the API's error shape, not with an HTML page.
    re_path(r"^.*$", views.not_found, name="not_found"),
]
