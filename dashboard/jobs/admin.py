from django.contrib import admin

from dashboard.jobs.models import AuditTrace, Job, JobStatusChange, MetricSample, SqlVersion, Template


class ReadOnlyAdmin(admin.ModelAdmin):
    """Snapshots are written by the poller only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["job_id", "name", "team", "status", "job_type", "update_time", "deleted_at"]
    list_filter = ["status", "job_type", "team"]
    search_fields = ["name", "job_id"]


@admin.register(JobStatusChange)
class JobStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["job", "previous_status", "status", "observed_at"]
    list_select_related = ["job"]


@admin.register(MetricSample)
class MetricSampleAdmin(ReadOnlyAdmin):
    list_display = ["job", "sampled_at", "records_in", "records_out", "read_rate", "write_rate"]
    list_select_related = ["job"]


@admin.register(AuditTrace)
class AuditTraceAdmin(ReadOnlyAdmin):
    list_display = ["op_time", "team", "event_name", "resource_name", "op_user", "result_code"]
    list_filter = ["event_name", "team"]
    search_fields = ["resource_name", "resource_id", "op_user"]


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    list_display = ["template_id", "name", "team", "update_time", "deleted_at"]
    search_fields = ["name"]


@admin.register(SqlVersion)
class SqlVersionAdmin(admin.ModelAdmin):
    list_display = ["job_id", "job_name", "team", "author", "created_at"]
    search_fields = ["job_name", "job_id"]
