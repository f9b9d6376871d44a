"""``/api/v1/``: teams, and per team its jobs, templates, clusters, usage and poll health."""

from __future__ import annotations

from django.urls import include, path, re_path, register_converter

from dashboard.api import views, views_jobs


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
    path("jobs/sql/", views_jobs.SqlJobCreate.as_view(), name="job_create_sql"),
    path("jobs/jar/", views_jobs.JarJobCreate.as_view(), name="job_create_jar"),
    path("jobs/run/", views_jobs.JobsRunBatch.as_view(), name="jobs_run_batch"),
    path("jobs/stop/", views_jobs.JobsStopBatch.as_view(), name="jobs_stop_batch"),
    path("jobs/delete/", views_jobs.JobsDeleteBatch.as_view(), name="jobs_delete_batch"),
    path(JOB, views.JobDetail.as_view(), name="job_detail"),
    path(JOB + "sql/", views_jobs.SqlJobUpdate.as_view(), name="job_update_sql"),
    path(JOB + "jar/", views_jobs.JarJobUpdate.as_view(), name="job_update_jar"),
    path(JOB + "run/", views_jobs.JobRun.as_view(), name="job_run"),
    path(JOB + "stop/", views_jobs.JobStop.as_view(), name="job_stop"),
    path(JOB + "status-history/", views.JobStatusHistory.as_view(), name="job_status_history"),
    path(JOB + "metrics/", views.JobMetrics.as_view(), name="job_metrics"),
    path("templates/", views_jobs.TemplateList.as_view(), name="template_list"),
    path("templates/<uuid:credential>/<csid:template_id>/", views_jobs.TemplateDetail.as_view(),
         name="template_detail"),
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
