"""Cluster pages: list and detail from the snapshots (viewers and up), writes to CS (leads)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from csapi import CSError, vocab
from csapi.dli import limits as dli_limits
from dashboard.clusters import forms, selectors, services
from dashboard.clusters.models import Cluster, HostMapping, Route
from dashboard.jobs.rules import ActionRefused
from dashboard.teams.access import team_view
from dashboard.teams.cs import error_context
from dashboard.teams.models import Role


def _cluster(access, credential, cluster_id) -> Cluster:
    cluster = selectors.cluster_get(access.team, credential, cluster_id)
    if cluster is None:
        raise Http404("No such cluster")
    return cluster


def _peering(access, cluster, peering_id):
    peering = selectors.peering_get(access.team, cluster, peering_id)
    if peering is None:
        raise Http404("No such peering connection")
    return peering


def _ctx(access, **extra) -> dict:
    return {"access": access, "team": access.team, **extra}


def _cs_failure(form, exc: CSError) -> dict | None:
    """Put a CS error on the field it concerns; return the context for ``partials/cs_error.html``."""
    context = error_context(exc)
    field = forms.cs_error_field(form, getattr(exc, "code", None)) if form is not None else None
    if field:
        form.add_error(field, " ".join(p for p in (context["description"], context["solution"]) if p))
    return context


def _back_to(cluster: Cluster, page: str = "cluster_detail", **kwargs):
    return redirect(
        page,
        team=cluster.team.slug,
        credential=cluster.credential.public_id,
        cluster_id=cluster.cluster_id,
        **kwargs,
    )


# ------------------------------------------------------------------------------------------ clusters
@team_view(GET=Role.VIEWER)
def cluster_list(request, access):
    query = request.GET.get("q", "").strip()[:100]
    health = request.GET.get("health", "")
    if health not in vocab.CLUSTER_HEALTH:
        health = ""
    clusters = selectors.cluster_list(access.team, query=query, health=health)
    return render(
        request,
        "clusters/cluster_list.html",
        _ctx(
            access,
            clusters=clusters,
            query=query,
            health=health,
            healths=vocab.CLUSTER_HEALTH,
            freshness=selectors.freshness(access.team),
        ),
    )


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def cluster_create(request, access):
    credentials = selectors.credentials_for(access.team)
    form = forms.ClusterForm(request.POST or None, credentials=credentials)
    cs_error = None
    if request.method == "POST" and form.is_valid():
        try:
            cluster = services.cluster_create(
                access=access, user=request.user, credential=form.cleaned_data["credential"], data=form.body()
            )
        except CSError as exc:
            cs_error = _cs_failure(form, exc)
        else:
            messages.success(request, _("Cluster %(name)s is being created.") % {"name": cluster.name})
            return _back_to(cluster)
    return render(request, "clusters/cluster_form.html", _ctx(access, form=form, cs_error=cs_error))


@team_view(GET=Role.VIEWER)
def cluster_detail(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    return render(
        request,
        "clusters/cluster_detail.html",
        _ctx(
            access,
            cluster=cluster,
            jobs=selectors.cluster_jobs(access.team, cluster),
            freshness=selectors.freshness(access.team),
        ),
    )


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def cluster_update(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    if not cluster.can["update"]:
        messages.warning(request, cluster.refusals["update"])
        return _back_to(cluster)
    initial = {
        "name": cluster.name,
        "desc": cluster.desc,
        "maximum_spu_quota": cluster.maximum_spu_quota,
        "manager_node_spec": cluster.manager_node_spu or "",
    }
    form = forms.ClusterForm(request.POST or None, initial=initial, update=True)
    cs_error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_update(access=access, user=request.user, cluster=cluster, data=form.body())
        except ActionRefused as exc:
            messages.warning(request, exc.message)
            return _back_to(cluster)
        except CSError as exc:
            cs_error = _cs_failure(form, exc)
        else:
            messages.success(request, _("Cluster %(name)s updated.") % {"name": cluster.name})
            return _back_to(cluster)
    return render(
        request, "clusters/cluster_form.html", _ctx(access, form=form, cluster=cluster, cs_error=cs_error)
    )


def _cluster_action(request, access, credential, cluster_id, service, done: str):
    cluster = _cluster(access, credential, cluster_id)
    try:
        service(access=access, user=request.user, cluster=cluster)
    except ActionRefused as exc:
        messages.warning(request, exc.message)  # the cluster's state does not allow it: nothing was sent
        return _back_to(cluster)
    except CSError as exc:
        return render(
            request,
            "clusters/cluster_detail.html",
            _ctx(
                access,
                cluster=cluster,
                jobs=selectors.cluster_jobs(access.team, cluster),
                cs_error=error_context(exc),
                freshness=selectors.freshness(access.team),
            ),
        )
    messages.success(request, done % {"name": cluster.name})
    if service is services.cluster_delete:
        return redirect("cluster_list", team=access.team.slug)
    return _back_to(cluster)


@team_view(POST=Role.LEAD)
def cluster_stop(request, access, credential, cluster_id):
    return _cluster_action(
        request,
        access,
        credential,
        cluster_id,
        services.cluster_stop,
        _("Cluster %(name)s is stopping; the jobs running in it are being stopped."),
    )


@team_view(POST=Role.LEAD)
def cluster_restart(request, access, credential, cluster_id):
    return _cluster_action(
        request,
        access,
        credential,
        cluster_id,
        services.cluster_restart,
        _("Cluster %(name)s is restarting."),
    )


@team_view(POST=Role.LEAD)
def cluster_delete(request, access, credential, cluster_id):
    return _cluster_action(
        request,
        access,
        credential,
        cluster_id,
        services.cluster_delete,
        _("Cluster %(name)s is being deleted; the jobs that ran in it were stopped."),
    )


# ------------------------------------------------------------------------------------- host mappings
def _render_hosts(request, access, cluster, *, add_form=None, upload_form=None, cs_error=None, status=200):
    query = request.GET.get("q", "").strip()[:100]
    mappings = selectors.host_mappings(access.team, cluster, query=query)
    return render(
        request,
        "clusters/hosts.html",
        _ctx(
            access,
            cluster=cluster,
            mappings=mappings,
            query=query,
            add_form=add_form or forms.HostForm(),
            upload_form=upload_form or forms.HostsUploadForm(),
            cs_error=cs_error,
            freshness=selectors.freshness(access.team),
        ),
        status=status,
    )


@team_view(GET=Role.VIEWER)
def host_list(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    if request.htmx:
        query = request.GET.get("q", "").strip()[:100]
        return render(
            request,
            "clusters/_host_rows.html",
            _ctx(
                access, cluster=cluster, mappings=selectors.host_mappings(access.team, cluster, query=query)
            ),
        )
    return _render_hosts(request, access, cluster)


@team_view(POST=Role.LEAD)
def host_add(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    form = forms.HostForm(request.POST)
    if form.is_valid():
        try:
            services.host_add(access=access, user=request.user, cluster=cluster, **form.body())
        except CSError as exc:
            return _render_hosts(request, access, cluster, add_form=form, cs_error=_cs_failure(form, exc))
        messages.success(
            request,
            _("%(hostname)s now resolves to %(ip)s.")
            % {"hostname": form.cleaned_data["hostname"], "ip": form.cleaned_data["ip"]},
        )
        return _back_to(cluster, "host_list")
    return _render_hosts(request, access, cluster, add_form=form)


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def host_edit(request, access, credential, cluster_id, host_id):
    cluster = _cluster(access, credential, cluster_id)
    mapping = get_object_or_404(HostMapping, cluster=cluster, cluster__team=access.team, host_id=host_id)
    form = forms.HostForm(request.POST or None, initial={"ip": mapping.ip, "hostname": mapping.hostname})
    cs_error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.host_update(access=access, user=request.user, mapping=mapping, **form.body())
        except CSError as exc:
            cs_error = _cs_failure(form, exc)
        else:
            messages.success(request, _("Mapping updated."))
            return _back_to(cluster, "host_list")
    return render(
        request,
        "clusters/host_form.html",
        _ctx(access, cluster=cluster, mapping=mapping, form=form, cs_error=cs_error),
    )


@team_view(POST=Role.LEAD)
def hosts_delete(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    ids = selectors.host_mappings(access.team, cluster).values_list("host_id", flat=True)
    form = forms.HostsDeleteForm(request.POST, host_ids=ids)
    if not form.is_valid():
        messages.error(request, _("Choose the mappings to delete."))
        return _back_to(cluster, "host_list")
    try:
        count = services.hosts_delete(
            access=access, user=request.user, cluster=cluster, host_ids=form.cleaned_data["hosts_id"]
        )
    except CSError as exc:
        return _render_hosts(request, access, cluster, cs_error=error_context(exc))
    messages.success(
        request,
        ngettext("%(count)s mapping deleted.", "%(count)s mappings deleted.", count) % {"count": count},
    )
    return _back_to(cluster, "host_list")


@team_view(POST=Role.LEAD)
def hosts_upload(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    form = forms.HostsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_hosts(request, access, cluster, upload_form=form, status=400)
    try:
        count = services.hosts_upload(
            access=access,
            user=request.user,
            cluster=cluster,
            data=form.data_bytes,
            mappings=form.mappings,
            filename=form.cleaned_data["hosts_file"].name,
        )
    except CSError as exc:
        return _render_hosts(request, access, cluster, upload_form=form, cs_error=_cs_failure(form, exc))
    messages.success(
        request,
        ngettext("hosts file sent: %(count)s mapping.", "hosts file sent: %(count)s mappings.", count)
        % {"count": count},
    )
    return _back_to(cluster, "host_list")


# ------------------------------------------------------------------------------------ peering, routes
def _render_peerings(request, access, cluster, *, form=None, accept_form=None, cs_error=None):
    return render(
        request,
        "clusters/peerings.html",
        _ctx(
            access,
            cluster=cluster,
            peerings=selectors.peering_list(access.team, cluster),
            form=form or forms.PeeringForm(),
            accept_form=accept_form or forms.PeeringAcceptForm(),
            cs_error=cs_error,
            freshness=selectors.freshness(access.team),
        ),
    )


@team_view(GET=Role.VIEWER)
def peering_list(request, access, credential, cluster_id):
    return _render_peerings(request, access, _cluster(access, credential, cluster_id))


@team_view(POST=Role.LEAD)
def peering_create(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    form = forms.PeeringForm(request.POST)
    if form.is_valid():
        try:
            peering = services.peering_create(
                access=access, user=request.user, cluster=cluster, **form.body()
            )
        except CSError as exc:
            return _render_peerings(request, access, cluster, form=form, cs_error=_cs_failure(form, exc))
        messages.success(request, _("Peering connection %(name)s requested.") % {"name": peering.name})
        return _back_to(cluster, "peering_list")
    return _render_peerings(request, access, cluster, form=form)


@team_view(POST=Role.LEAD)
def peering_accept(request, access, credential, cluster_id):
    cluster = _cluster(access, credential, cluster_id)
    form = forms.PeeringAcceptForm(request.POST)
    if form.is_valid():
        try:
            services.peering_accept(
                access=access, user=request.user, cluster=cluster, peering_id=form.cleaned_data["peering_id"]
            )
        except CSError as exc:
            return _render_peerings(
                request, access, cluster, accept_form=form, cs_error=_cs_failure(form, exc)
            )
        messages.success(request, _("Peering request accepted."))
        return _back_to(cluster, "peering_list")
    return _render_peerings(request, access, cluster, accept_form=form)


def _render_peering(request, access, cluster, peering, *, local_form=None, peer_form=None, cs_error=None):
    return render(
        request,
        "clusters/peering_detail.html",
        _ctx(
            access,
            cluster=cluster,
            peering=peering,
            local_form=local_form or forms.RouteForm(prefix="local"),
            peer_form=peer_form
            or forms.PeerRouteForm(prefix="peer", initial={"vpc_id": peering.accept_vpc_id}),
            cs_error=cs_error,
        ),
    )


@team_view(GET=Role.VIEWER)
def peering_detail(request, access, credential, cluster_id, peering_id):
    cluster = _cluster(access, credential, cluster_id)
    return _render_peering(request, access, cluster, _peering(access, cluster, peering_id))


@team_view(POST=Role.LEAD)
def peering_delete(request, access, credential, cluster_id, peering_id):
    cluster = _cluster(access, credential, cluster_id)
    peering = _peering(access, cluster, peering_id)
    try:
        services.peering_delete(access=access, user=request.user, peering=peering)
    except CSError as exc:
        return _render_peering(request, access, cluster, peering, cs_error=error_context(exc))
    messages.success(request, _("Peering connection %(name)s deleted.") % {"name": peering.name})
    return _back_to(cluster, "peering_list")


@team_view(POST=Role.LEAD)
def route_create_local(request, access, credential, cluster_id, peering_id):
    cluster = _cluster(access, credential, cluster_id)
    peering = _peering(access, cluster, peering_id)
    form = forms.RouteForm(request.POST, prefix="local")
    if form.is_valid():
        try:
            services.route_create_local(access=access, user=request.user, peering=peering, **form.body())
        except CSError as exc:
            return _render_peering(
                request, access, cluster, peering, local_form=form, cs_error=_cs_failure(form, exc)
            )
        messages.success(
            request, _("Route to %(destination)s added.") % {"destination": form.cleaned_data["destination"]}
        )
        return _back_to(cluster, "peering_detail", peering_id=peering.peering_id)
    return _render_peering(request, access, cluster, peering, local_form=form)


@team_view(POST=Role.LEAD)
def route_create_peer(request, access, credential, cluster_id, peering_id):
    cluster = _cluster(access, credential, cluster_id)
    peering = _peering(access, cluster, peering_id)
    form = forms.PeerRouteForm(request.POST, prefix="peer", peering_id=peering.peering_id)
    if form.is_valid():
        try:
            services.route_create_peer(access=access, user=request.user, peering=peering, **form.body())
        except CSError as exc:
            return _render_peering(
                request, access, cluster, peering, peer_form=form, cs_error=_cs_failure(form, exc)
            )
        messages.success(
            request,
            _("Route to %(destination)s added in the peer VPC.")
            % {"destination": form.cleaned_data["destination"]},
        )
        return _back_to(cluster, "peering_detail", peering_id=peering.peering_id)
    return _render_peering(request, access, cluster, peering, peer_form=form)


@team_view(POST=Role.LEAD)
def route_delete(request, access, credential, cluster_id, peering_id, route_id):
    cluster = _cluster(access, credential, cluster_id)
    peering = _peering(access, cluster, peering_id)
    route = get_object_or_404(Route, peering=peering, route_id=route_id)
    try:
        services.route_delete(access=access, user=request.user, route=route)
    except CSError as exc:
        return _render_peering(request, access, cluster, peering, cs_error=error_context(exc))
    messages.success(request, _("Route to %(destination)s deleted.") % {"destination": route.destination})
    return _back_to(cluster, "peering_detail", peering_id=peering.peering_id)


# -------------------------------------------------------------------------------------------- queues
def _price_forms(queues, bound=None, bound_queue=None) -> None:
    """Give each queue its price form: ``bound`` (a submitted, invalid form) for ``bound_queue``."""
    for queue in queues:
        if bound is not None and bound_queue is not None and queue.pk == bound_queue.pk:
            queue.price_form = bound
        else:
            queue.price_form = forms.QueuePriceForm(
                initial={
                    "credential": queue.credential.public_id,
                    "queue": queue.queue_name,
                    "cu_price": queue.cu_price,
                },
                auto_id=f"id_price_{queue.pk}_%s",
            )


def _posted_queue(access, data):
    """The live queue of the team a price form names (its hidden credential and queue), else 404."""
    try:
        credential = uuid.UUID(str(data.get("credential", "")))
    except ValueError:
        raise Http404("No such queue") from None
    queue = selectors.queue_get(
        access.team, credential, str(data.get("queue", ""))[: dli_limits.QUEUE_NAME_MAX_CHARS]
    )
    if queue is None:
        raise Http404("No such queue")
    return queue


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def queue_list(request, access):
    """The DLI queues of the team: CUs used of total, type, engine, jobs, and the lead's CU-hour price."""
    bound = queue = None
    if request.method == "POST":
        queue = _posted_queue(access, request.POST)
        bound = forms.QueuePriceForm(request.POST, auto_id=f"id_price_{queue.pk}_%s")
        if bound.is_valid():
            price = bound.cleaned_data["cu_price"]
            services.queue_set_price(access=access, user=request.user, queue=queue, cu_price=price)
            if price is None:
                messages.success(request, _("%(queue)s: price cleared.") % {"queue": queue.queue_name})
            else:
                messages.success(
                    request,
                    _("%(queue)s: %(price)s per CU-hour.") % {"queue": queue.queue_name, "price": price},
                )
            return redirect("queue_list", team=access.team.slug)
    queues = selectors.queue_list(access.team)
    _price_forms(queues, bound, queue)
    return render(
        request,
        "clusters/queue_list.html",
        _ctx(access, queues=queues, freshness=selectors.freshness(access.team, ["queues", "jobs"])),
    )
