from django.contrib import admin

from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route


class ReadOnlyAdmin(admin.ModelAdmin):
    """Snapshots are written by the poller only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Cluster)
class ClusterAdmin(ReadOnlyAdmin):
    list_display = [
        "cluster_id",
        "name",
        "team",
        "status_code",
        "spu_used",
        "maximum_spu_quota",
        "deleted_at",
    ]
    list_filter = ["status_code", "team"]
    search_fields = ["name", "cluster_id"]


@admin.register(ClusterJob)
class ClusterJobAdmin(ReadOnlyAdmin):
    list_display = ["job_id", "name", "cluster", "status"]


@admin.register(HostMapping)
class HostMappingAdmin(ReadOnlyAdmin):
    list_display = ["hostname", "ip", "cluster"]


@admin.register(Peering)
class PeeringAdmin(ReadOnlyAdmin):
    list_display = ["name", "peering_id", "cluster", "status", "accept_vpc_id"]


@admin.register(Route)
class RouteAdmin(ReadOnlyAdmin):
    list_display = ["route_id", "peering", "type", "destination"]
