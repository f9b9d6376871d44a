"""Quota and billing pages (leads only), served from the snapshots; the quota edit goes to CS."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from csapi import CSError
from dashboard.clusters.forms import cs_error_field
from dashboard.clusters.models import Cluster
from dashboard.exports import csv_response
from dashboard.polling.selectors import freshness
from dashboard.teams.access import team_view
from dashboard.teams.cs import error_context
from dashboard.teams.models import Role, Service
from dashboard.usage import charts, selectors, services
from dashboard.usage.forms import QuotaForm

JOB_COSTS_PER_PAGE = 50


@team_view(GET=Role.LEAD)
def quota_list(request, access):
    """CS's per-user SPU quotas and DLI's project quotas, each where the team has such credentials."""
    team = access.team
    show_cs, show_dli = selectors.usage_sections(team)
    context = {
        "access": access,
        "team": team,
        "show_cs": show_cs,
        "show_dli": show_dli,
        "freshness": freshness(team, ["quotas"]),
    }
    if show_cs:
        sort, rows = selectors.quota_rows(team, sort=request.GET.get("sort", "-usage"))
        context.update(
            rows=rows,
            sort=sort,
            totals=selectors.quota_totals(team),
            near_ratio=round(selectors.NEAR_QUOTA_RATIO * 100),
            chart=charts.quota_chart(selectors.quota_series(team, service=Service.CS)),
        )
    if context["show_dli"]:
        project_quotas, cu_totals = selectors.project_quotas(team)
        context.update(
            project_quotas=project_quotas,
            cu_totals=cu_totals,
            cu_chart=charts.quota_chart(selectors.quota_series(team, service=Service.DLI), cu=True),
        )
    return render(request, "usage/quotas.html", context)


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def quota_edit(request, access, credential, user_id):
    quota = selectors.quota_get(access.team, credential, user_id)
    if quota is None:
        raise Http404("No such user quota")
    choices = (
        Cluster.objects.for_team(access.team)
        .live()
        .filter(credential=quota.credential)
        .values_list("cluster_id", "name")
    )
    current = [c.get("id") for c in quota.clusters if isinstance(c, dict)]
    form = QuotaForm(
        request.POST or None,
        spu_used=quota.spu_used,
        cluster_choices=list(choices),
        initial={"spu_quota": quota.spu_quota, "clusters": [str(c) for c in current]},
    )
    cs_error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.quota_update(
                access=access,
                user=request.user,
                quota=quota,
                spu_quota=form.cleaned_data["spu_quota"],
                clusters=form.cleaned_data["clusters"],
            )
        except ValidationError as error:
            for message in error.message_dict.get("spu_quota", error.messages):
                form.add_error("spu_quota", message)
        except CSError as exc:
            cs_error = error_context(exc)
            field = cs_error_field(form, exc.code)
            if field:
                form.add_error(
                    field, " ".join(p for p in (cs_error["description"], cs_error["solution"]) if p)
                )
        else:
            messages.success(
                request,
                _("%(user)s: quota set to %(quota)s SPUs.")
                % {"user": quota.user_name or quota.user_id, "quota": quota.spu_quota},
            )
            return redirect("quota_list", team=access.team.slug)
    return render(
        request,
        "usage/quota_form.html",
        {
            "access": access,
            "team": access.team,
            "quota": quota,
            "form": form,
            "cs_error": cs_error,
        },
    )


def _sort(request, default: str = "-cost") -> str:
    sort = request.GET.get("sort", default)
    return sort if sort.lstrip("-") in selectors.JOB_COST_SORTS else default


@team_view(GET=Role.LEAD)
def billing(request, access):
    """CS's billing overview and per-job estimate; DLI's estimate from CU-hours and queue prices."""
    team = access.team
    show_cs, show_dli = selectors.usage_sections(team)
    period = selectors.billing_period(request.GET)
    sort = _sort(request)
    query = urlencode(period.as_query())
    context = {
        "access": access,
        "team": team,
        "show_cs": show_cs,
        "show_dli": show_dli,
        "period": period,
        "periods": selectors.PERIODS,
        "period_query": query,
        "sort": sort,
        "freshness": freshness(team, ["overview", "jobs"]),
    }
    if show_cs:
        overview = selectors.billing_overview(team)
        costs = selectors.period_costs(team, period, sort=sort)
        context.update(
            overview=overview,
            costs=costs,
            page=Paginator(costs.jobs, JOB_COSTS_PER_PAGE).get_page(request.GET.get("page")),
            chart=charts.cost_chart(selectors.cost_series(team), overview.billing_unit),
        )
    if show_dli:
        dli_costs = selectors.period_costs(team, period, sort=sort, service=Service.DLI)
        context.update(
            dli_costs=dli_costs,
            dli_page=Paginator(dli_costs.jobs, JOB_COSTS_PER_PAGE).get_page(request.GET.get("dli_page")),
            dli_chart=charts.dli_cost_chart(dli_costs.series),
        )
    return render(request, "usage/billing.html", context)


@team_view(GET=Role.LEAD)
def billing_jobs_csv(request, access):
    """The per-job cost table as CSV: CS's, or with ``service=dli`` DLI's estimate."""
    period = selectors.billing_period(request.GET)
    service = Service.DLI if request.GET.get("service") == Service.DLI else Service.CS
    rows = selectors.job_cost_csv_rows(access.team, period, sort=_sort(request), service=service)
    name = "dli-job-cost-estimate" if service == Service.DLI else "job-costs"
    return csv_response(rows, f"{access.team.slug}-{name}-{period.start.date()}-{period.end.date()}")
