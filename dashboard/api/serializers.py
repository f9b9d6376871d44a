"""Response (and simple request) shapes of the API. Write requests are validated by the product's forms
or ``csapi.validation`` (see ``inputs.py``), never by limits restated here.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from csapi import vocab
from csapi.dli.tags import tag_list
from dashboard.api.models import ApiToken
from dashboard.clusters.models import Cluster, ClusterJob, HostMapping, Peering, Queue, Route
from dashboard.jobs.models import Job, JobStatusChange, MetricSample, Template
from dashboard.jobs.selectors import SAMPLE_FIGURES
from dashboard.polling.models import PollHealth
from dashboard.teams.models import Role, Service
from dashboard.usage.models import OverviewSnapshot, ProjectQuota, UserQuota, UserQuotaSample

SERVICES = [c for c, _label in Service.choices]
SERVICE_HELP = "The cloud service of the credential: `cs` (Cloud Stream Service) or `dli` (DLI Flink jobs)."

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
    service = serializers.ChoiceField(
        choices=SERVICES, source="credential.service", read_only=True, help_text=SERVICE_HELP
    )
    failing = serializers.BooleanField(read_only=True)

    class Meta:
        model = PollHealth
        fields = [
            "credential",
            "credential_name",
            "service",
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


def is_dli(job: Job) -> bool:
    return job.service == Service.DLI


class TagSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()


UNIT_HELP = (
    "The unit the job is sized in: `spu` (CS's stream processing units, see `spu_number`) or `cu` (DLI's "
    "compute units, one vCPU and 4 GB each, see `cu_number`)."
)
SPU_HELP = "SPUs of a CS job; null for a DLI job (sized in CUs: `cu_number`)."
CU_HELP = "CUs of a DLI job (its whole size, JobManager included); null for a CS job (sized in SPUs)."


class _ServiceFieldsMixin(serializers.Serializer):
    """The fields every job shape has for both services: which service, its unit and its size.

    A CS job is sized in SPUs on a cluster (``spu_number``, ``cluster_id``); a DLI job in CUs on a
    queue (``cu_number``, ``queue_name``). The field of the other service is null (or blank).
    """

    service = serializers.ChoiceField(choices=SERVICES, read_only=True, help_text=SERVICE_HELP)
    unit = serializers.SerializerMethodField(help_text=UNIT_HELP)
    spu_number = serializers.SerializerMethodField(help_text=SPU_HELP)
    cu_number = serializers.SerializerMethodField(help_text=CU_HELP)
    queue_name = serializers.CharField(
        read_only=True, help_text="The DLI queue the job runs on; blank for a CS job (see `cluster_id`)."
    )
    restart_times = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="DLI: restarts after exceptions in the current run."
    )

    @extend_schema_field(serializers.ChoiceField(choices=list(vocab.COMPUTE_UNITS)))
    def get_unit(self, job: Job) -> str:
        return "cu" if is_dli(job) else "spu"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_spu_number(self, job: Job) -> int | None:
        return None if is_dli(job) else job.spu_number

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_cu_number(self, job: Job) -> int | None:
        return job.spu_number if is_dli(job) else None


#: The job columns only DLI fills (beyond the shared ones), shown on the detail.
DLI_DETAIL_FIELDS = (
    "manager_cu_number",
    "tm_cus",
    "tm_slot_num",
    "savepoint_path",
    "flink_version",
    "tags",
    "resume_checkpoint",
    "resume_max_num",
)


class JobSerializer(_ServiceFieldsMixin, serializers.ModelSerializer):
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
    manager_cu_number = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="DLI: CUs of the JobManager (part of `cu_number`)."
    )
    tm_cus = serializers.IntegerField(read_only=True, allow_null=True, help_text="DLI: CUs per TaskManager.")
    tm_slot_num = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="DLI: slots per TaskManager."
    )
    savepoint_path = serializers.CharField(
        read_only=True, help_text="DLI: the OBS path of the job's latest savepoint (blank if none)."
    )
    flink_version = serializers.CharField(read_only=True, help_text="DLI: the Flink version the job runs on.")
    tags = serializers.SerializerMethodField(help_text="DLI: the job's tags (empty for CS jobs).")
    resume_checkpoint = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="DLI: resume from the latest checkpoint on a restart."
    )
    resume_max_num = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="DLI: the most restarts per hour (-1: unlimited)."
    )

    class Meta:
        model = Job
        fields = [
            "key",
            "job_id",
            "credential",
            "credential_name",
            "service",
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
            "queue_name",
            "unit",
            "spu_number",
            "cu_number",
            "parallel_number",
            "create_time",
            "start_time",
            "update_time",
            "duration",
            "has_savepoint",
            "restart_times",
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
            *DLI_DETAIL_FIELDS,
        ]
        read_only_fields = fields

    def get_key(self, job: Job) -> str:
        return f"{job.credential.public_id}:{job.job_id}"

    def get_status_label(self, job: Job) -> str:
        return job.status_info.label

    def get_status_group(self, job: Job) -> str:
        return job.status_info.group

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_duration(self, job: Job) -> int | None:
        return job.current_duration_ms

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, job: Job) -> list[dict[str, str]]:
        return tag_list(job.tags) or []


#: Columns the list rows read beyond the jobs selector's own (``LIST_COLUMNS``).
LIST_EXTRA_COLUMNS = ("restart_times",)


class JobListSerializer(_ServiceFieldsMixin, serializers.Serializer):
    """A row of the job list: only the columns the list selector loads (and ``LIST_EXTRA_COLUMNS``)."""

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

    @extend_schema_field(serializers.IntegerField(allow_null=True))
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
        extra_kwargs = {
            "jar_url": {
                "help_text": "CS: the JAR's OBS URL; DLI: the JAR job's entrypoint (OBS path or package)."
            },
            "args": {"help_text": "The main class's arguments (DLI: entrypoint_args)."},
        }


class JobStatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobStatusChange
        fields = ["previous_status", "status", "status_desc", "observed_at"]
        read_only_fields = fields


class MetricSampleSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricSample
        fields = list(SAMPLE_FIGURES)
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer):
    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    service = serializers.ChoiceField(
        choices=SERVICES, source="credential.service", read_only=True, help_text=SERVICE_HELP
    )

    class Meta:
        model = Template
        fields = [
            "template_id",
            "credential",
            "service",
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
    service = serializers.ChoiceField(
        choices=SERVICES, source="credential.service", read_only=True, help_text=SERVICE_HELP
    )
    spu_free = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = UserQuota
        fields = [
            "user_id",
            "credential",
            "service",
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


# --------------------------------------------------------------------------------------------- DLI queues


class QueueSerializer(serializers.ModelSerializer):
    """A DLI queue as last polled: DLI's counterpart of an exclusive cluster, sized in CUs."""

    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    credential_name = serializers.CharField(source="credential.name", read_only=True)
    service = serializers.ChoiceField(
        choices=SERVICES, source="credential.service", read_only=True, help_text=SERVICE_HELP
    )
    free_cu = serializers.FloatField(read_only=True, allow_null=True, help_text="CUs not in use.")
    used_percent = serializers.IntegerField(read_only=True, help_text="CUs used as a share of the queue's.")
    cu_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text="The price of one CU-hour a lead set for the queue (DLI has no billing overview): "
        "the dashboard's cost estimate is CU-hours x this price.",
    )

    class Meta:
        model = Queue
        fields = [
            "queue_name",
            "credential",
            "credential_name",
            "service",
            "description",
            "owner",
            "queue_type",
            "engine",
            "resource_mode",
            "cu_count",
            "used_cu",
            "free_cu",
            "used_percent",
            "elastic_resource_pool",
            "charging_mode",
            "create_time",
            "cu_price",
            "last_seen",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "cu_count": {"help_text": "The queue's CUs."},
            "used_cu": {"help_text": "CUs the queue's running jobs use."},
            "queue_type": {"help_text": "general (Flink and Spark jobs) or sql."},
        }


# --------------------------------------------------------------------------------------------- DLI quotas


class ProjectQuotaSerializer(serializers.ModelSerializer):
    """One of a DLI project's quotas (DLI's quotas are per project, CS's per user)."""

    credential = serializers.UUIDField(source="credential.public_id", read_only=True)
    credential_name = serializers.CharField(source="credential.name", read_only=True)
    service = serializers.ChoiceField(
        choices=SERVICES, source="credential.service", read_only=True, help_text=SERVICE_HELP
    )
    label = serializers.SerializerMethodField(help_text="The quota's type in words.")
    percent = serializers.IntegerField(
        read_only=True, help_text="Used as a share of the quota (capped at 100)."
    )

    class Meta:
        model = ProjectQuota
        fields = [
            "credential",
            "credential_name",
            "service",
            "type",
            "label",
            "quota",
            "used",
            "percent",
            "min",
            "max",
            "last_seen",
        ]
        read_only_fields = fields
        extra_kwargs = {"type": {"help_text": "CU, QUEUE or ELASTIC_RESOURCE_POOL."}}

    def get_label(self, quota: ProjectQuota) -> str:
        return vocab.DLI_QUOTA_TYPES.get(quota.type, quota.type)
