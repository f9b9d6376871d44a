"""Exclusive clusters (CS): list and detail for every member; create, update, actions, host mappings,
peering and routes for leads. Bodies are checked by the cluster pages' forms; writes go through the
clusters service. DLI queues (DLI's place for jobs): list and detail, for leads as on the queues page."""

from __future__ import annotations

import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from csapi import vocab
from dashboard.api import docs
from dashboard.api import serializers as s
from dashboard.api.base import LEAD_ONLY, LEAD_WRITES, TeamEndpoint
from dashboard.api.inputs import bind, body_of, request_serializer
from dashboard.api.pagination import page_of, paginated
from dashboard.clusters import forms, selectors, services
from dashboard.clusters.models import Cluster, HostMapping, Queue, Route
from dashboard.jobs import selectors as job_selectors
from dashboard.polling.selectors import freshness
from dashboard.teams.models import Credential, Role

TAGS = ["clusters"]
LEAD = {"POST": Role.LEAD}
DELETED = OpenApiResponse(description="Deleted in CS.")

ClusterCreateRequest = request_serializer(
    "ClusterCreate",
    forms.ClusterForm,
    dynamic=("credential",),
    form_kwargs={"credentials": Credential.objects.none()},
)
ClusterUpdateRequest = request_serializer(
    "ClusterUpdate", forms.ClusterForm, partial=True, form_kwargs={"update": True}
)
HostRequest = request_serializer("HostMapping", forms.HostForm)
HostsUploadRequest = request_serializer("HostsUpload", forms.HostsUploadForm)
PeeringRequest = request_serializer("PeeringCreate", forms.PeeringForm)
PeeringAcceptRequest = request_serializer("PeeringAccept", forms.PeeringAcceptForm)
RouteRequest = request_serializer("RouteCreate", forms.RouteForm)
PeerRouteRequest = request_serializer("PeerRouteCreate", forms.PeerRouteForm)


class HostsDeleteRequest(serializers.Serializer):
    hosts_id = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the mappings to delete."
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many mappings CS accepted.")


class ClusterWithJobsSerializer(s.ClusterSerializer):
    running_jobs = serializers.IntegerField(required=False)
    jobs = s.JobListSerializer(many=True, help_text="The team's jobs placed in this cluster.")

    class Meta(s.ClusterSerializer.Meta):
        fields = [*s.ClusterSerializer.Meta.fields, "running_jobs", "jobs"]
        read_only_fields = fields


CLUSTER_EXAMPLE = {
    "cluster_id": 1001,
    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
    "name": "streaming-prod",
    "desc": "",
    "status_code": 5,
    "status_name": "cluster_running",
    "status_label": "Running",
    "health": "ok",
    "status_desc": "",
    "spu_used": 8,
    "maximum_spu_quota": 40,
    "spu_free": 32,
    "manager_node_spu": 2,
    "region_id": "cn-north-1",
    "error_reason": "",
    "created_at": "2024-04-01T08:00:00Z",
    "vpc_cidr": "172.16.0.0/16",
    "subnet_cidr": "172.16.0.0/23",
    "subnet_gateway": "172.16.0.1",
    "sys_enterprise_project_id": "",
    "sys_enterprise_project_name": "",
    "last_seen": "2024-05-02T10:25:00Z",
}


class ClusterEndpoint(TeamEndpoint):
    required_roles = LEAD_WRITES

    def get_cluster(self, access, credential, cluster_id) -> Cluster:
        cluster = selectors.cluster_get(access.team, credential, cluster_id)
        if cluster is None:
            raise Http404("No such cluster")
        return cluster

    def get_peering(self, access, cluster, peering_id):
        peering = selectors.peering_get(access.team, cluster, peering_id)
        if peering is None:
            raise Http404("No such peering connection")
        return peering


def _detail(access, cluster) -> dict:
    data = s.ClusterSerializer(cluster).data
    data["running_jobs"] = getattr(cluster, "running_jobs", 0)
    data["jobs"] = s.JobListSerializer(selectors.cluster_jobs(access.team, cluster), many=True).data
    return data


class ClusterList(ClusterEndpoint):
    @extend_schema(
        operation_id="clusters_list",
        tags=TAGS,
        summary="The team's exclusive clusters",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search in names and descriptions."),
            OpenApiParameter("health", OpenApiTypes.STR, enum=list(vocab.CLUSTER_HEALTH)),
            *docs.PAGE_PARAMS,
        ],
        responses=docs.responses(page_of(s.ClusterSerializer)),
        examples=[
            OpenApiExample(
                "clusters",
                response_only=True,
                value={
                    "count": 1,
                    "page": 1,
                    "pages": 1,
                    "next": None,
                    "previous": None,
                    "results": [CLUSTER_EXAMPLE],
                    "freshness": {
                        "stale": False,
                        "last_updated": None,
                        "age_seconds": None,
                        "needs_attention": [],
                        "errors": [],
                        "kinds": {},
                    },
                },
            )
        ],
    )
    def get(self, request, access, **kwargs):
        query = str(request.query_params.get("q", "")).strip()[:100]
        health = request.query_params.get("health", "")
        clusters = selectors.cluster_list(
            access.team, query=query, health=health if health in vocab.CLUSTER_HEALTH else ""
        )
        return paginated(
            request,
            self,
            clusters,
            s.ClusterSerializer,
            extra={"freshness": freshness(access.team, ["clusters"]).as_dict()},
        )

    @extend_schema(
        operation_id="cluster_create",
        tags=TAGS,
        summary="Create an exclusive cluster",
        request=ClusterCreateRequest,
        responses=docs.responses(s.ClusterSerializer, write=True, status=201),
        examples=[
            OpenApiExample(
                "create",
                request_only=True,
                value={
                    "credential": "4f7c9a52-8d1e-4c1b-9f0e-2b6a1d3c5e7f",
                    "name": "streaming-prod",
                    "maximum_spu_quota": 40,
                    "vpc_cidr": "172.16.0.0/16",
                    "subnet_cidr": "172.16.0.0/23",
                    "subnet_gateway": "172.16.0.1",
                },
            )
        ],
    )
    def post(self, request, access, **kwargs):
        form = bind(forms.ClusterForm, body_of(request), credentials=selectors.credentials_for(access.team))
        cluster = services.cluster_create(
            access=access, user=request.user, credential=form.cleaned_data["credential"], data=form.body()
        )
        return Response(s.ClusterSerializer(cluster).data, status=201)


class ClusterDetail(ClusterEndpoint):
    @extend_schema(
        operation_id="cluster_retrieve",
        tags=TAGS,
        summary="One cluster, with its jobs",
        responses=docs.responses(ClusterWithJobsSerializer),
        examples=[
            OpenApiExample(
                "cluster", response_only=True, value={**CLUSTER_EXAMPLE, "running_jobs": 0, "jobs": []}
            )
        ],
    )
    def get(self, request, access, credential, cluster_id, **kwargs):
        return Response(_detail(access, self.get_cluster(access, credential, cluster_id)))

    @extend_schema(
        operation_id="cluster_update",
        tags=TAGS,
        summary="Update a cluster: fields left out keep their values",
        request=ClusterUpdateRequest,
        responses=docs.responses(s.ClusterSerializer, write=True),
        examples=[OpenApiExample("update", value={"maximum_spu_quota": 60}, request_only=True)],
    )
    def patch(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        current = {
            "name": cluster.name,
            "desc": cluster.desc,
            "maximum_spu_quota": cluster.maximum_spu_quota,
            "manager_node_spec": cluster.manager_node_spu or "",
        }
        data = {**{k: v for k, v in current.items() if v is not None}, **body_of(request)}
        form = bind(forms.ClusterForm, data, update=True)
        services.cluster_update(access=access, user=request.user, cluster=cluster, data=form.body())
        return Response(s.ClusterSerializer(self.get_cluster(access, credential, cluster_id)).data)

    @extend_schema(
        operation_id="cluster_delete",
        tags=TAGS,
        summary="Delete a cluster",
        request=None,
        responses=docs.responses(s.ClusterSerializer, write=True, status=202),
    )
    def delete(self, request, access, credential, cluster_id, **kwargs):
        cluster = services.cluster_delete(
            access=access, user=request.user, cluster=self.get_cluster(access, credential, cluster_id)
        )
        return Response(s.ClusterSerializer(cluster).data, status=202)


class _ClusterAction(ClusterEndpoint):
    required_roles = LEAD
    service = None

    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = type(self).service(
            access=access, user=request.user, cluster=self.get_cluster(access, credential, cluster_id)
        )
        return Response(s.ClusterSerializer(cluster).data, status=202)


class ClusterStop(_ClusterAction):
    service = services.cluster_stop

    @extend_schema(
        operation_id="cluster_stop",
        tags=TAGS,
        summary="Stop a cluster",
        request=None,
        responses=docs.responses(s.ClusterSerializer, write=True, status=202),
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        return super().post(request, access, credential, cluster_id, **kwargs)


class ClusterRestart(_ClusterAction):
    service = services.cluster_restart

    @extend_schema(
        operation_id="cluster_restart",
        tags=TAGS,
        summary="Restart a cluster",
        request=None,
        responses=docs.responses(s.ClusterSerializer, write=True, status=202),
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        return super().post(request, access, credential, cluster_id, **kwargs)


# ------------------------------------------------------------------------------------------ hosts


class HostList(ClusterEndpoint):
    @extend_schema(
        operation_id="hosts_list",
        tags=TAGS,
        summary="A cluster's IP-domain mappings",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words to find in hostnames or IPs."),
            *docs.PAGE_PARAMS,
        ],
        responses=docs.responses(page_of(s.HostMappingSerializer, freshness=False)),
    )
    def get(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        query = str(request.query_params.get("q", "")).strip()[:100]
        return paginated(
            request, self, selectors.host_mappings(access.team, cluster, query=query), s.HostMappingSerializer
        )

    @extend_schema(
        operation_id="host_add",
        tags=TAGS,
        summary="Add an IP-domain mapping",
        request=HostRequest,
        responses=docs.responses(
            OpenApiResponse(description="Added; listed after the next refresh."), write=True, status=202
        ),
        examples=[
            OpenApiExample(
                "add", value={"ip": "192.168.0.10", "hostname": "kafka-1.internal"}, request_only=True
            )
        ],
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        form = bind(forms.HostForm, body_of(request))
        services.host_add(access=access, user=request.user, cluster=cluster, **form.body())
        return Response(status=202)


class HostDetail(ClusterEndpoint):
    required_roles = {"GET": Role.VIEWER, "PATCH": Role.LEAD}

    def get_mapping(self, access, credential, cluster_id, host_id) -> HostMapping:
        cluster = self.get_cluster(access, credential, cluster_id)
        return get_object_or_404(HostMapping, cluster=cluster, cluster__team=access.team, host_id=host_id)

    @extend_schema(
        operation_id="host_retrieve",
        tags=TAGS,
        summary="One IP-domain mapping",
        responses=docs.responses(s.HostMappingSerializer),
    )
    def get(self, request, access, credential, cluster_id, host_id, **kwargs):
        return Response(
            s.HostMappingSerializer(self.get_mapping(access, credential, cluster_id, host_id)).data
        )

    @extend_schema(
        operation_id="host_update",
        tags=TAGS,
        summary="Change an IP-domain mapping",
        request=HostRequest,
        responses=docs.responses(s.HostMappingSerializer, write=True),
    )
    def patch(self, request, access, credential, cluster_id, host_id, **kwargs):
        mapping = self.get_mapping(access, credential, cluster_id, host_id)
        data = {"ip": mapping.ip, "hostname": mapping.hostname, **body_of(request)}
        form = bind(forms.HostForm, data)
        mapping = services.host_update(access=access, user=request.user, mapping=mapping, **form.body())
        return Response(s.HostMappingSerializer(mapping).data)


class HostsDelete(ClusterEndpoint):
    required_roles = LEAD

    @extend_schema(
        operation_id="hosts_delete",
        tags=TAGS,
        summary="Delete IP-domain mappings",
        request=HostsDeleteRequest,
        responses=docs.responses(CountSerializer, write=True),
        examples=[OpenApiExample("delete", value={"hosts_id": [11, 12]}, request_only=True)],
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        ids = selectors.host_mappings(access.team, cluster).values_list("host_id", flat=True)
        form = bind(
            forms.HostsDeleteForm,
            body_of(request) if not hasattr(request.data, "getlist") else request.data,
            host_ids=ids,
        )
        count = services.hosts_delete(
            access=access, user=request.user, cluster=cluster, host_ids=form.cleaned_data["hosts_id"]
        )
        return Response({"count": count})


class HostsUpload(ClusterEndpoint):
    required_roles = LEAD
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="hosts_upload",
        tags=TAGS,
        summary="Send a hosts file (multipart)",
        request={"multipart/form-data": HostsUploadRequest},
        responses=docs.responses(CountSerializer, write=True),
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        form = bind(forms.HostsUploadForm, request.data, request.FILES)
        count = services.hosts_upload(
            access=access,
            user=request.user,
            cluster=cluster,
            data=form.data_bytes,
            mappings=form.mappings,
            filename=form.cleaned_data["hosts_file"].name,
        )
        return Response({"count": count})


# ------------------------------------------------------------------------------------------ peering


class PeeringList(ClusterEndpoint):
    @extend_schema(
        operation_id="peerings_list",
        tags=TAGS,
        summary="A cluster's VPC peering connections, with their routes",
        responses=docs.responses(s.PeeringSerializer(many=True)),
    )
    def get(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        return Response(s.PeeringSerializer(selectors.peering_list(access.team, cluster), many=True).data)

    @extend_schema(
        operation_id="peering_create",
        tags=TAGS,
        summary="Create a VPC peering connection",
        request=PeeringRequest,
        responses=docs.responses(s.PeeringSerializer, write=True, status=201),
        examples=[
            OpenApiExample(
                "create",
                request_only=True,
                value={
                    "name": "to-kafka",
                    "vpc_id": "3b5f0d9e-8a4c-4a9e-9a8f-3c2e1d0b9a87",
                    "accept_tenant_id": "",
                },
            )
        ],
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        form = bind(forms.PeeringForm, body_of(request))
        peering = services.peering_create(access=access, user=request.user, cluster=cluster, **form.body())
        return Response(
            s.PeeringSerializer(self.get_peering(access, cluster, peering.peering_id)).data, status=201
        )


class PeeringAccept(ClusterEndpoint):
    required_roles = LEAD

    @extend_schema(
        operation_id="peering_accept",
        tags=TAGS,
        summary="Accept a peering request another tenant sent",
        request=PeeringAcceptRequest,
        responses=docs.responses(OpenApiResponse(description="Accepted."), write=True, status=202),
    )
    def post(self, request, access, credential, cluster_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        form = bind(forms.PeeringAcceptForm, body_of(request))
        services.peering_accept(
            access=access, user=request.user, cluster=cluster, peering_id=form.cleaned_data["peering_id"]
        )
        return Response(status=202)


class PeeringDetail(ClusterEndpoint):
    required_roles = {"GET": Role.VIEWER, "DELETE": Role.LEAD}

    @extend_schema(
        operation_id="peering_retrieve",
        tags=TAGS,
        summary="One peering connection with its routes",
        responses=docs.responses(s.PeeringSerializer),
    )
    def get(self, request, access, credential, cluster_id, peering_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        return Response(s.PeeringSerializer(self.get_peering(access, cluster, peering_id)).data)

    @extend_schema(
        operation_id="peering_delete",
        tags=TAGS,
        summary="Delete a peering connection",
        request=None,
        responses=docs.responses(DELETED, write=True, status=204),
    )
    def delete(self, request, access, credential, cluster_id, peering_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        services.peering_delete(
            access=access, user=request.user, peering=self.get_peering(access, cluster, peering_id)
        )
        return Response(status=204)


class RouteList(ClusterEndpoint):
    @extend_schema(
        operation_id="routes_list",
        tags=TAGS,
        summary="Routes of a peering connection",
        responses=docs.responses(s.RouteSerializer(many=True)),
    )
    def get(self, request, access, credential, cluster_id, peering_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        return Response(
            s.RouteSerializer(self.get_peering(access, cluster, peering_id).routes.all(), many=True).data
        )

    @extend_schema(
        operation_id="route_create",
        tags=TAGS,
        summary="Add a route to the local VPC",
        request=RouteRequest,
        responses=docs.responses(s.RouteSerializer, write=True, status=201),
        examples=[OpenApiExample("route", value={"destination": "192.168.0.0/16"}, request_only=True)],
    )
    def post(self, request, access, credential, cluster_id, peering_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        peering = self.get_peering(access, cluster, peering_id)
        form = bind(forms.RouteForm, body_of(request))
        route = services.route_create_local(access=access, user=request.user, peering=peering, **form.body())
        return Response(s.RouteSerializer(route).data, status=201)


class PeerRouteCreate(ClusterEndpoint):
    required_roles = LEAD

    @extend_schema(
        operation_id="peer_route_create",
        tags=TAGS,
        summary="Add a route in the peer VPC",
        request=PeerRouteRequest,
        responses=docs.responses(s.RouteSerializer, write=True, status=201),
    )
    def post(self, request, access, credential, cluster_id, peering_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        peering = self.get_peering(access, cluster, peering_id)
        form = bind(forms.PeerRouteForm, body_of(request), peering_id=peering.peering_id)
        route = services.route_create_peer(access=access, user=request.user, peering=peering, **form.body())
        return Response(s.RouteSerializer(route).data, status=201)


class RouteDetail(ClusterEndpoint):
    required_roles = {"DELETE": Role.LEAD}

    @extend_schema(
        operation_id="route_delete",
        tags=TAGS,
        summary="Delete a route",
        request=None,
        responses=docs.responses(DELETED, write=True, status=204),
    )
    def delete(self, request, access, credential, cluster_id, peering_id, route_id, **kwargs):
        cluster = self.get_cluster(access, credential, cluster_id)
        peering = self.get_peering(access, cluster, peering_id)
        route = get_object_or_404(Route, peering=peering, route_id=route_id)
        services.route_delete(access=access, user=request.user, route=route)
        return Response(status=204)


# ------------------------------------------------------------------------------------------ DLI queues

QUEUE_TAGS = ["queues"]

QUEUE_EXAMPLE = {
    "queue_name": "acme_flink_prod",
    "credential": "9b2e4d71-3c6a-4f0e-8a15-7d9c2e4b6a10",
    "credential_name": "production (DLI)",
    "service": "dli",
    "description": "Production stream jobs",
    "owner": "acme_admin",
    "queue_type": "general",
    "engine": "flink",
    "resource_mode": 1,
    "cu_count": 64,
    "used_cu": 22.0,
    "free_cu": 42.0,
    "used_percent": 34,
    "elastic_resource_pool": "acme-flink-pool",
    "charging_mode": 1,
    "create_time": "2024-04-01T08:00:00Z",
    "cu_price": 0.35,
    "last_seen": "2024-05-02T10:25:00Z",
}


class QueueWithJobsSerializer(s.QueueSerializer):
    running_jobs = serializers.IntegerField(help_text="The team's running jobs on the queue.")
    jobs = s.JobListSerializer(many=True, help_text="The team's jobs placed on this queue.")

    class Meta(s.QueueSerializer.Meta):
        fields = [*s.QueueSerializer.Meta.fields, "running_jobs", "jobs"]
        read_only_fields = fields


def team_queues(team):
    """The team's live DLI queues (every query of a team's data starts from the team)."""
    return Queue.objects.for_team(team).live().select_related("credential").order_by("queue_name", "id")


#: The most jobs a queue's answer lists (they are counted whatever their number).
QUEUE_JOBS_LISTED = 500


class QueueEndpoint(TeamEndpoint):
    #: The queues page is a lead's (CU prices and capacity): the same in the API.
    required_roles = LEAD_ONLY

    def get_queue(self, access, credential, queue_name) -> Queue:
        queue = selectors.queue_get(access.team, credential, queue_name)
        if queue is None:
            raise Http404("No such queue")
        return queue


class QueueList(QueueEndpoint):
    @extend_schema(
        operation_id="queues_list",
        tags=QUEUE_TAGS,
        summary="The team's DLI queues (where DLI jobs run), with CUs used and free",
        description="Served from snapshots (never calls DLI). CS credentials have exclusive clusters instead "
        "(see the clusters endpoints).",
        parameters=[
            OpenApiParameter("credential", OpenApiTypes.UUID, description="Only queues of this credential."),
            OpenApiParameter("q", OpenApiTypes.STR, description="Search in queue names."),
            *docs.PAGE_PARAMS,
        ],
        responses=docs.responses(page_of(s.QueueSerializer)),
        examples=[
            OpenApiExample(
                "queues",
                response_only=True,
                value={
                    "count": 1,
                    "page": 1,
                    "pages": 1,
                    "next": None,
                    "previous": None,
                    "results": [QUEUE_EXAMPLE],
                    "freshness": {
                        "stale": False,
                        "last_updated": None,
                        "age_seconds": None,
                        "needs_attention": [],
                        "errors": [],
                        "kinds": {},
                    },
                },
            )
        ],
    )
    def get(self, request, access, **kwargs):
        queues = team_queues(access.team)
        credential = str(request.query_params.get("credential", "")).strip()
        if credential:
            try:
                queues = queues.filter(credential__public_id=uuid.UUID(credential))
            except ValueError:
                queues = queues.none()
        query = str(request.query_params.get("q", "")).strip()[:100]
        if query:
            queues = queues.filter(queue_name__icontains=query)
        return paginated(
            request,
            self,
            queues,
            s.QueueSerializer,
            extra={"freshness": freshness(access.team, ["queues"]).as_dict()},
        )


class QueueDetail(QueueEndpoint):
    @extend_schema(
        operation_id="queue_retrieve",
        tags=QUEUE_TAGS,
        summary="One DLI queue, with the team's jobs on it",
        responses=docs.responses(QueueWithJobsSerializer),
        examples=[
            OpenApiExample(
                "queue", response_only=True, value={**QUEUE_EXAMPLE, "running_jobs": 0, "jobs": []}
            )
        ],
    )
    def get(self, request, access, credential, queue_name, **kwargs):
        queue = self.get_queue(access, credential, queue_name)
        on_queue = job_selectors.JobFilters(credential=queue.credential.public_id, queue=queue.queue_name)
        jobs = list(
            job_selectors.job_list(access.team, on_queue).only(
                *job_selectors.LIST_COLUMNS, *s.LIST_EXTRA_COLUMNS
            )[:QUEUE_JOBS_LISTED]
        )
        data = s.QueueSerializer(queue).data
        data["running_jobs"] = job_selectors.matching_count(
            job_selectors.job_status_counts(access.team, on_queue), vocab.GROUP_RUNNING
        )
        data["jobs"] = s.JobListSerializer(jobs, many=True).data
        return Response(data)
