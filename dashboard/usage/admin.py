from django.contrib import admin

from dashboard.usage.models import OverviewSnapshot, ProjectQuota, UserQuota, UserQuotaSample


class ReadOnlyAdmin(admin.ModelAdmin):
    """Snapshots are written by the poller only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UserQuota)
class UserQuotaAdmin(ReadOnlyAdmin):
    list_display = ["user_name", "team", "spu_used", "spu_quota", "deleted_at"]
    search_fields = ["user_name", "user_id"]


@admin.register(UserQuotaSample)
class UserQuotaSampleAdmin(ReadOnlyAdmin):
    list_display = ["credential", "sampled_at", "spu_used", "spu_quota"]


@admin.register(OverviewSnapshot)
class OverviewSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["credential", "taken_at", "total_cost", "running_jobs_count", "running_job_price"]


@admin.register(ProjectQuota)
class ProjectQuotaAdmin(ReadOnlyAdmin):
    list_display = ["credential", "type", "used", "quota", "deleted_at"]
