"""Response (and simple request) shapes of the API. Write requests are validated by the product's forms
or ``csapi.validation`` (see ``inputs.py``), never by limits restated here.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dashboard.api.models import ApiToken
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Route
from dashboard.jobs.models import Job, JobStatusChange, MetricSample, Template
from dashboard.polling.models import PollHealth
from dashboard.teams.models import Role
from dashboard.usage.models import OverviewSnapshot, UserQuota, UserQuotaSample

# --------------------------------------------------------------------------------------------- errors


class CSErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CS error code (CS.xxxxx), or the HTTP status when CS gave none.")
    description = serializers.CharField(help_text="What the code means (reference table 7-2).")
    solution = serializers.CharField(help_text="What to do about it.")
    cause = serializers.CharField(help_text="CS's own explanation for this request.")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Machine-readable error code (invalid, not_found, cs_unavailable, ...)."
    )
    message = serializers.CharField(help_text="A sentence for people.")
    detail = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        allow_null=True,
        help_text="For validation errors: messages per field (`non_field_errors` for the whole request).",
    )
    cs = CSErrorSerializer(required=False, help_text="Present when CS answered with an error.")


# --------------------------------------------------------------------------------------------- teams


class TeamSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="The team's public id, used in URLs.")
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=["viewer", "operator", "lead"], help_text="The caller's role.")
    url = serializers.CharField(help_text="The team's API root.")


def role_name(role: int) -> str:
    return Role(role).name.lower()


# --------------------------------------------------------------------------------------------- tokens


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = fields


# --------------------------------------------------------------------------------------------- freshness


class KindFreshnessSerializer(serializers.Serializer):
    last_success = serializers.DateTimeField(allow_null=True)
    age_seconds = serializers.FloatField(allow_null=True)
    stale = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()


class FreshnessSerializer(serializers.Serializer):
    stale = serializers.BooleanField(
        help_text="Some data is older than it should be, failing, or never fetched."
    )
    last_updated = serializers.DateTimeField(
        allow_null=True, help_text="Every figure is at least this fresh."
    )
    age_seconds = serializers.FloatField(allow_null=True)
    needs_attention = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())
    kinds = serializers.DictField(child=KindFreshnessSerializer())


class PollHealthSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    credential_name = serializers.CharField(source="credential.name", read_only=True)
    failing = serializers.BooleanField(read_only=True)

    class Meta:
        model = PollHealth
        fields = [
            "credential",
            "credential_name",
            "kind",
            "last_attempt",
            "last_success",
            "last_error",
            "last_error_at",
            "consecutive_failures",
            "failing",
            "next_attempt",
            "last_duration_ms",
            "last_items",
        ]
        read_only_fields = fields


class PollHealthReportSerializer(serializers.Serializer):
    freshness = FreshnessSerializer()
    credentials = PollHealthSerializer(many=True)


# --------------------------------------------------------------------------------------------- jobs


class StatusInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(
        help_text="`<credential>:<job_id>`, as the batch actions take it."
    )
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    credential_name = serializers.CharField(source="credential.name", read_only=True)
    status_label = serializers.SerializerMethodField()
    status_group = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField(
        help_text="Running time in ms (projected to now while running)."
    )
    deleted = serializers.BooleanField(source="is_deleted", read_only=True)

    class Meta:
        model = Job
        fields = [
            "key",
            "job_id",
            "credential",
            "credential_name",
            "name",
            "desc",
            "username",
            "job_type",
            "status",
            "status_label",
            "status_group",
            "status_desc",
            "run_mode",
            "cluster_id",
            "cluster_name",
            "spu_number",
            "parallel_number",
            "create_time",
            "start_time",
            "update_time",
            "duration",
            "has_savepoint",
            "checkpoint_enabled",
            "log_enabled",
            "read_rate",
            "write_rate",
            "records_in",
            "records_out",
            "corrupted_records",
            "metrics_at",
            "last_seen",
            "deleted",
        ]
        read_only_fields = fields

    def get_key(self, job: Job) -> str:
        return f"{job.credential.public_id}:{job.job_id}"

    def get_status_label(self, job: Job) -> str:
        return job.status_info.label

    def get_status_group(self, job: Job) -> str:
        return job.status_info.group

    @extend_schema_field(OpenApiTypes.INT)
    def get_duration(self, job: Job) -> int | None:
        return job.current_duration_ms


class JobListSerializer(serializers.Serializer):
    """A row of the job list: only the columns the list selector loads."""

    key = serializers.SerializerMethodField(
        help_text="`<credential>:<job_id>`, as the batch actions take it."
    )
    job_id = serializers.IntegerField()
    credential = serializers.UUIDField(source="credential.public_id")
    credential_name = serializers.CharField(source="credential.name")
    name = serializers.CharField()
    job_type = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    status_group = serializers.SerializerMethodField()
    status_desc = serializers.CharField()
    run_mode = serializers.CharField()
    cluster_id = serializers.IntegerField(allow_null=True)
    cluster_name = serializers.CharField()
    spu_number = serializers.IntegerField(allow_null=True)
    parallel_number = serializers.IntegerField(allow_null=True)
    start_time = serializers.DateTimeField(allow_null=True)
    duration = serializers.SerializerMethodField(
        help_text="Running time in ms (projected to now while running)."
    )
    read_rate = serializers.FloatField(allow_null=True)
    write_rate = serializers.FloatField(allow_null=True)
    update_time = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField()

    def get_key(self, job: Job) -> str:
        return f"{job.credential.public_id}:{job.job_id}"

    def get_status_label(self, job: Job) -> str:
        return job.status_info.label

    def get_status_group(self, job: Job) -> str:
        return job.status_info.group

    @extend_schema_field(OpenApiTypes.INT)
    def get_duration(self, job: Job) -> int | None:
        return job.current_duration_ms


class JobDetailSerializer(JobSerializer):
    class Meta(JobSerializer.Meta):
        fields = [
            *JobSerializer.Meta.fields,
            "sql_body",
            "job_config",
            "root_id",
            "edge_group_ids",
            "graph_editor_enabled",
            "jar_url",
            "main_class",
            "args",
            "execution_graph",
            "first_seen",
        ]
        read_only_fields = fields


class JobStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobStatusChange
        fields = ["previous_status", "status", "status_desc", "observed_at"]
        read_only_fields = fields


class MetricSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricSample
        fields = ["sampled_at", "records_in", "records_out", "corrupted_records", "read_rate", "write_rate"]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)

    class Meta:
        model = Template
        fields = [
            "template_id",
            "credential",
            "name",
            "desc",
            "sql_body",
            "job_type",
            "create_time",
            "update_time",
            "last_seen",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------------------------- clusters


class ClusterSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    status_label = serializers.SerializerMethodField()
    health = serializers.SerializerMethodField()
    spu_free = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Cluster
        fields = [
            "cluster_id",
            "credential",
            "name",
            "desc",
            "status_code",
            "status_name",
            "status_label",
            "health",
            "status_desc",
            "spu_used",
            "maximum_spu_quota",
            "spu_free",
            "manager_node_spu",
            "region_id",
            "error_reason",
            "created_at",
            "vpc_cidr",
            "subnet_cidr",
            "subnet_gateway",
            "sys_enterprise_project_id",
            "sys_enterprise_project_name",
            "last_seen",
        ]
        read_only_fields = fields

    def get_status_label(self, cluster: Cluster) -> str:
        return cluster.status_info.label

    def get_health(self, cluster: Cluster) -> str:
        return cluster.status_info.health


class ClusterJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClusterJob
        fields = [
            "job_id",
            "name",
            "desc",
            "user_name",
            "job_type",
            "status",
            "status_desc",
            "spu_number",
            "parallel_number",
            "create_time",
            "start_time",
            "duration",
            "root_id",
            "graph_editor_enabled",
        ]
        read_only_fields = fields


class ClusterDetailSerializer(ClusterSerializer):
    jobs = ClusterJobSerializer(source="cluster_jobs", many=True, read_only=True)

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "jobs"]
        read_only_fields = fields


class HostMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = HostMapping
        fields = ["host_id", "ip", "hostname", "last_seen"]
        read_only_fields = fields


class RouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Route
        fields = ["route_id", "type", "destination", "nexthop", "vpc_id", "tenant_id", "last_seen"]
        read_only_fields = fields


class PeeringSerializer(serializers.ModelSerializer):
    routes = RouteSerializer(many=True, read_only=True)

    class Meta:
        model = Peering
        fields = [
            "peering_id",
            "name",
            "status",
            "request_vpc_id",
            "request_tenant_id",
            "request_vpc_cidr",
            "request_subnet_cidr",
            "accept_vpc_id",
            "accept_tenant_id",
            "last_seen",
            "routes",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------------------------- usage


class UserQuotaSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    spu_free = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = UserQuota
        fields = [
            "user_id",
            "credential",
            "user_name",
            "spu_quota",
            "spu_used",
            "spu_free",
            "clusters",
            "last_seen",
        ]
        read_only_fields = fields


class UserQuotaSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserQuotaSample
        fields = ["sampled_at", "spu_used", "spu_quota", "users"]
        read_only_fields = fields


class OverviewSnapshotSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    price_per_hour = serializers.FloatField(read_only=True)
    running_spu = serializers.IntegerField(read_only=True)

    class Meta:
        model = OverviewSnapshot
        fields = [
            "credential",
            "taken_at",
            "cs_time",
            "total_cost",
            "total_jobs",
            "running_jobs_count",
            "finished_job_count",
            "exception_job_count",
            "running_job_charge",
            "running_job_price",
            "running_job_total_spu",
            "running_job_total_time",
            "total_clusters",
            "running_cluster_count",
            "exception_cluster_count",
            "other_cluster_count",
            "running_cluster_charge",
            "running_cluster_price",
            "running_cluster_total_spu",
            "running_cluster_total_time",
            "billing_unit",
            "time_unit",
            "price_per_hour",
            "running_spu",
        ]
        read_only_fields = fields
