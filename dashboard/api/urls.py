"""``/api/v1/``: teams, and per team its jobs, templates, clusters, DLI queues, usage and poll health."""

from __future__ import annotations

from django.urls import include, path, re_path, register_converter

from dashboard.api import views, views_clusters, views_jobs, views_usage


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
CLUSTER = "clusters/<uuid:credential>/<csid:cluster_id>/"
PEERING = CLUSTER + "peerings/<str:peering_id>/"

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
    path(JOB + "savepoint/", views_jobs.JobSavepoint.as_view(), name="job_savepoint"),
    path(JOB + "status-history/", views.JobStatusHistory.as_view(), name="job_status_history"),
    path(JOB + "metrics/", views.JobMetrics.as_view(), name="job_metrics"),
    path("templates/", views_jobs.TemplateList.as_view(), name="template_list"),
    path(
        "templates/<uuid:credential>/<csid:template_id>/",
        views_jobs.TemplateDetail.as_view(),
        name="template_detail",
    ),
    path("clusters/", views_clusters.ClusterList.as_view(), name="cluster_list"),
    path(CLUSTER, views_clusters.ClusterDetail.as_view(), name="cluster_detail"),
    path(CLUSTER + "stop/", views_clusters.ClusterStop.as_view(), name="cluster_stop"),
    path(CLUSTER + "restart/", views_clusters.ClusterRestart.as_view(), name="cluster_restart"),
    path(CLUSTER + "hosts/", views_clusters.HostList.as_view(), name="host_list"),
    path(CLUSTER + "hosts/delete/", views_clusters.HostsDelete.as_view(), name="hosts_delete"),
    path(CLUSTER + "hosts/upload/", views_clusters.HostsUpload.as_view(), name="hosts_upload"),
    path(CLUSTER + "hosts/<csid:host_id>/", views_clusters.HostDetail.as_view(), name="host_detail"),
    path(CLUSTER + "peerings/", views_clusters.PeeringList.as_view(), name="peering_list"),
    path(CLUSTER + "peerings/accept/", views_clusters.PeeringAccept.as_view(), name="peering_accept"),
    path(PEERING, views_clusters.PeeringDetail.as_view(), name="peering_detail"),
    path(PEERING + "routes/", views_clusters.RouteList.as_view(), name="route_list"),
    path(PEERING + "peer-routes/", views_clusters.PeerRouteCreate.as_view(), name="peer_route_create"),
    path(PEERING + "routes/<str:route_id>/", views_clusters.RouteDetail.as_view(), name="route_detail"),
    path("queues/", views_clusters.QueueList.as_view(), name="queue_list"),
    path(
        "queues/<uuid:credential>/<str:queue_name>/",
        views_clusters.QueueDetail.as_view(),
        name="queue_detail",
    ),
    path("quotas/", views_usage.QuotaList.as_view(), name="quota_list"),
    path("quotas/history/", views_usage.QuotaHistory.as_view(), name="quota_history"),
    path("quotas/<uuid:credential>/<str:user_id>/", views_usage.QuotaDetail.as_view(), name="quota_detail"),
    path("overview/", views_usage.Overview.as_view(), name="overview"),
    path("cost-history/", views_usage.CostHistory.as_view(), name="cost_history"),
    path("alerts/", include("dashboard.alerts.api_urls")),
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
