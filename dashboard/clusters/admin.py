from django.contrib import admin

from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Queue, Route


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


@admin.register(Queue)
class QueueAdmin(ReadOnlyAdmin):
    """DLI queues; the price per CU-hour is a lead's, set on the team's queues page."""

    list_display = ["queue_name", "team", "queue_type", "cu_count", "used_cu", "cu_price", "deleted_at"]
    list_filter = ["queue_type", "team"]
    search_fields = ["queue_name"]
