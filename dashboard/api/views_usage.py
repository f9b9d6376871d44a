"""Usage: tenant users' SPU quotas (CS) beside DLI's project quotas, the billing overview and the cost
and SPU histories, all read from the poller's snapshots; lead-only, as the quotas and billing pages."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from dashboard.api import docs
from dashboard.api import serializers as s
from dashboard.api.base import LEAD_ONLY, TeamEndpoint
from dashboard.api.inputs import bind, body_of
from dashboard.api.pagination import page_of, paginated
from dashboard.clusters.models import Cluster
from dashboard.polling.selectors import freshness
from dashboard.usage import selectors, services
from dashboard.usage.forms import QuotaForm

TAGS = ["usage"]


class QuotaRowSerializer(s.UserQuotaSerializer):
    usage_percent = serializers.IntegerField(
        help_text="SPUs used as a share of the quota (above 100 when the quota is exceeded; 100 when SPUs are used without a quota)."
    )
    near_quota = serializers.BooleanField(help_text="At or above the highlighted share of the quota.")

    class Meta(s.UserQuotaSerializer.Meta):
        fields = [*s.UserQuotaSerializer.Meta.fields, "usage_percent", "near_quota"]
        read_only_fields = fields


class QuotaPageSerializer(page_of(QuotaRowSerializer)):
    project_quotas = s.ProjectQuotaSerializer(
        many=True,
        help_text="DLI's quotas, per project (CU, queues, elastic resource pools) of each DLI credential; "
        "CS's quotas are per tenant user (`results`).",
    )


class QuotaUpdateRequest(serializers.Serializer):
    # Documentation only: the body is checked by the quota page's form.
    spu_quota = serializers.IntegerField(help_text=str(QuotaForm.base_fields["spu_quota"].help_text))
    clusters = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=str(QuotaForm.base_fields["clusters"].help_text),
    )


class PointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    value = serializers.FloatField()


class SeriesSerializer(serializers.Serializer):
    credential_name = serializers.CharField()
    points = PointSerializer(many=True)


class QuotaHistorySerializer(serializers.Serializer):
    used = SeriesSerializer(many=True, help_text="SPUs used, per credential.")
    quota = SeriesSerializer(many=True, help_text="Sum of the users' quotas, per credential.")


class BillingOverviewSerializer(serializers.Serializer):
    taken_at = serializers.DateTimeField(allow_null=True, help_text="The newest snapshot's time.")
    billing_unit = serializers.CharField()
    time_unit = serializers.CharField()
    price_per_hour = serializers.FloatField()
    running_spu = serializers.IntegerField()
    totals = serializers.DictField(
        child=serializers.FloatField(), help_text="Sums over the team's credentials."
    )
    snapshots = s.OverviewSnapshotSerializer(many=True, help_text="The newest snapshot of each credential.")
    freshness = s.FreshnessSerializer()


def _series(series) -> list[dict]:
    return [
        {"credential_name": x.name, "points": [{"at": at, "value": v} for at, v in x.points]} for x in series
    ]


class QuotaList(TeamEndpoint):
    required_roles = LEAD_ONLY

    @extend_schema(
        operation_id="quotas_list",
        tags=TAGS,
        summary="Tenant users' SPU quotas (CS) and the projects' quotas (DLI)",
        parameters=[
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                enum=[*selectors.QUOTA_SORTS, *(f"-{k}" for k in selectors.QUOTA_SORTS)],
                description="Sort key; `-` reverses. Default `-usage`.",
            ),
            *docs.PAGE_PARAMS,
        ],
        responses=docs.responses(QuotaPageSerializer),
    )
    def get(self, request, access, **kwargs):
        _sort, rows = selectors.quota_rows(access.team, sort=str(request.query_params.get("sort", "-usage")))
        return paginated(
            request,
            self,
            rows,
            QuotaRowSerializer,
            extra={
                "project_quotas": s.ProjectQuotaSerializer(
                    selectors.project_quotas(access.team)[0], many=True
                ).data,
                "freshness": freshness(access.team, ["quotas"]).as_dict(),
            },
        )


class QuotaDetail(TeamEndpoint):
    required_roles = LEAD_ONLY

    def get_quota(self, access, credential, user_id):
        quota = selectors.quota_get(access.team, credential, user_id)
        if quota is None:
            raise Http404("No such user quota")
        return quota

    @extend_schema(
        operation_id="quota_retrieve",
        tags=TAGS,
        summary="One user's SPU quota",
        responses=docs.responses(s.UserQuotaSerializer),
    )
    def get(self, request, access, credential, user_id, **kwargs):
        return Response(s.UserQuotaSerializer(self.get_quota(access, credential, user_id)).data)

    @extend_schema(
        operation_id="quota_update",
        tags=TAGS,
        summary="Change a user's SPU quota and the clusters they may use",
        request=QuotaUpdateRequest,
        responses=docs.responses(s.UserQuotaSerializer, write=True),
        examples=[OpenApiExample("quota", value={"spu_quota": 40, "clusters": [1001]}, request_only=True)],
    )
    def patch(self, request, access, credential, user_id, **kwargs):
        quota = self.get_quota(access, credential, user_id)
        choices = list(
            Cluster.objects.for_team(access.team)
            .live()
            .filter(credential=quota.credential)
            .values_list("cluster_id", "name")
        )
        current = [str(c.get("id")) for c in quota.clusters if isinstance(c, dict)]
        data = body_of(request) if not hasattr(request.data, "getlist") else request.data
        merged = {"spu_quota": quota.spu_quota, "clusters": current, **data}
        form = bind(QuotaForm, merged, spu_used=quota.spu_used, cluster_choices=choices)
        quota = services.quota_update(
            access=access,
            user=request.user,
            quota=quota,
            spu_quota=form.cleaned_data["spu_quota"],
            clusters=form.cleaned_data["clusters"],
        )
        return Response(s.UserQuotaSerializer(quota).data)


class QuotaHistory(TeamEndpoint):
    required_roles = LEAD_ONLY

    @extend_schema(
        operation_id="quota_history",
        tags=TAGS,
        summary="SPUs used and quotas over time",
        responses=docs.responses(QuotaHistorySerializer),
    )
    def get(self, request, access, **kwargs):
        series = selectors.quota_series(access.team)
        return Response({"used": _series(series["used"]), "quota": _series(series["quota"])})


class Overview(TeamEndpoint):
    required_roles = LEAD_ONLY

    @extend_schema(
        operation_id="overview",
        tags=TAGS,
        summary="Jobs, clusters and prices now (the billing overview)",
        responses=docs.responses(BillingOverviewSerializer),
    )
    def get(self, request, access, **kwargs):
        overview = selectors.billing_overview(access.team)
        return Response(
            {
                "taken_at": overview.taken_at,
                "billing_unit": overview.billing_unit,
                "time_unit": overview.time_unit,
                "price_per_hour": overview.price_per_hour,
                "running_spu": overview.running_spu,
                "totals": overview.totals,
                "snapshots": s.OverviewSnapshotSerializer(overview.snapshots, many=True).data,
                "freshness": freshness(access.team, ["overview"]).as_dict(),
            }
        )


class CostHistory(TeamEndpoint):
    required_roles = LEAD_ONLY

    @extend_schema(
        operation_id="cost_history",
        tags=TAGS,
        summary="Total cost over time, per credential",
        responses=docs.responses(SeriesSerializer(many=True)),
        examples=[
            OpenApiExample(
                "cost",
                response_only=True,
                value=[
                    {
                        "credential_name": "production",
                        "points": [{"at": "2024-05-02T10:00:00Z", "value": 12.5}],
                    }
                ],
            )
        ],
    )
    def get(self, request, access, **kwargs):
        return Response(SeriesSerializer(_series(selectors.cost_series(access.team)), many=True).data)
