"""Jobs and templates pages. Each view resolves the team for the user first, then calls a selector
(reads, from snapshots only: no page load calls CS) or a service (writes), then renders.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import condition, require_safe

from csapi import CSError, limits, vocab
from csapi.errors import ERROR_FIELDS, OBS_NOT_AUTHORIZED
from dashboard import pagecache
from dashboard.jobs import charts, copy_to_dli, graph, presenters, selectors, services
from dashboard.jobs.dli_forms import (
    CopyTargetForm,
    DliJarJobForm,
    DliSqlJobForm,
    DliTemplateForm,
    SavepointForm,
)
from dashboard.jobs.forms import (
    BatchForm,
    JarJobForm,
    RunForm,
    SqlJobForm,
    StopForm,
    TemplateForm,
)
from dashboard.jobs.models import Job, JobDetails, Template
from dashboard.jobs.rules import ActionRefused, job_refusal
from dashboard.jobs.templatetags.jobs_tags import duration_ms
from dashboard.jobs.uploads import limit_uploads
from dashboard.pagecache import cached, digest, fragment, rendering_key
from dashboard.polling.selectors import team_freshness, team_poll_state
from dashboard.teams.access import TeamAccess, team_view
from dashboard.teams.cs import error_context, error_text
from dashboard.teams.models import Credential, Role, Team

PAGE_SIZE = 25
LIVE_INTERVAL_MS = 5000  # how often an open job list refreshes itself (JOBS_LIVE_INTERVAL_MS overrides)
JOB_KINDS = ("jobs", "metrics")  # the poll kinds whose freshness the jobs pages show


def _page_number(request) -> int:
    text = request.GET.get("page", "1")
    return int(text) if text.isdigit() and 0 < len(text) < 7 else 1


def _live_interval() -> int:
    return int(getattr(settings, "JOBS_LIVE_INTERVAL_MS", LIVE_INTERVAL_MS))


def _submit(request) -> str:
    """Which submit button was used: save, run, authorize-save or authorize-run."""
    value = request.POST.get("submit", "save")
    return value if value in ("save", "run", "authorize-save", "authorize-run") else "save"


def _ace_base() -> str:
    """Where the ACE editor's scripts are served (the SQL editor falls back to a textarea without them)."""
    try:
        return static("django_ace/ace/ace.js").rsplit("/", 1)[0] + "/"
    except ValueError:  # not collected: no editor, the textarea stays
        return ""


def _freshness_version(fresh) -> str:
    """What of the poll freshness the live table's version follows: stale or not, errors, last update to
    the minute (the "N s ago" text alone does not make the table re-sent)."""
    updated = fresh.last_updated
    return digest(
        (
            fresh.stale,
            fresh.errors,
            fresh.needs_attention,
            updated.replace(second=0, microsecond=0) if updated else None,
        )
    )


def _freshness_html(fresh) -> str:
    """The freshness notice, rendered once per what it shows."""
    shown = (
        fresh.stale,
        fresh.errors,
        fresh.needs_attention,
        fresh.credentials,
        fresh.last_updated,
        fresh.age_text,
    )
    return fragment(
        f"jobs:freshness:{digest(shown)}",
        lambda: render_to_string("polling/_freshness.html", {"freshness": fresh}),
    )


def _freshness_slots(team: Team) -> tuple[str, Callable[[], dict[str, str]], int]:
    """The freshness notice and version for a cached jobs page, as (cache key, build, ttl): worked out
    once per second, since they change with the team's version and with the time (ages in seconds)."""

    def build() -> dict[str, str]:
        fresh = team_freshness(team, JOB_KINDS)
        return {"freshness_html": str(_freshness_html(fresh)), "freshness_version": _freshness_version(fresh)}

    key = f"jobs:freshness-slots:{team.pk}:{team.created_at.timestamp()}:{team.version}:{int(time.time())}"
    return f"{key}:{rendering_key()}", build, 5


def _base(access: TeamAccess, kinds: tuple[str, ...] = JOB_KINDS, **extra: Any) -> dict[str, Any]:
    """What every jobs and templates page shows: the team, its credentials, how fresh ``kinds`` are."""
    credentials, _health = team_poll_state(access.team)
    fresh = team_freshness(access.team, kinds)
    return {
        "access": access,
        "team": access.team,
        "credentials": credentials,
        "freshness": fresh,
        "freshness_html": _freshness_html(fresh),
        "ace_base": _ace_base(),
        **extra,
    }


# ------------------------------------------------------------------------------------------ lists


def _rows_context(
    request,
    scope,
    filters,
    page_number: int,
    *,
    team: Team | None,
    access: TeamAccess | None = None,
    credentials: list[Credential] | None = None,
    polled: dict | None = None,
    total: int | Callable[[], int] | None = None,
) -> dict[str, Any]:
    paginator = Paginator(selectors.job_list(scope, filters), PAGE_SIZE)
    if callable(total):
        total = total()
    if total is not None:
        paginator.count = total  # known from the status counts the page shows: no COUNT query
    page = paginator.get_page(page_number)
    jobs = list(page.object_list)
    if team is None:  # rows of several teams: one reverse() per team on the page, not two per row
        team_urls: dict[str, str] = {}
        for job in jobs:
            slug = job.team.slug
            if slug not in team_urls:
                team_urls[slug] = reverse("job_list", kwargs={"team": slug})
            job.team_url = team_urls[slug]
            job.detail_url = f"{team_urls[slug]}{job.credential.public_id}/{job.job_id}/"
    # detail links are this prefix + "<credential>/<job id>/" (one reverse() per page, not per row)
    base_url = reverse("job_list", kwargs={"team": team.slug}) if team is not None else ""
    rows = presenters.job_rows(jobs, base_url=base_url, multi_team=team is None, polled=polled)
    selectable = team is not None and access is not None and access.is_operator
    show_credential = team is None or len(credentials or []) > 1
    return {
        "page": page,
        "jobs": jobs,
        "rows": rows,
        "rows_html": presenters.job_rows_html(
            rows, selectable=selectable, show_credential=show_credential, multi_team=team is None
        ),
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "sort_links": {
            key: urlencode(filters.as_query(sort=("-" + key) if filters.sort == key else key))
            for key in selectors.SORTS
        },
        "multi_team": team is None,
        "selectable": selectable,
    }


def _job_table(
    request,
    scope,
    filters,
    page_number: int,
    *,
    key: str,
    access: TeamAccess | None = None,
    credentials: list[Credential] | None = None,
    polled: dict | None = None,
    total: int | Callable[[], int] | None = None,
) -> dict[str, Any]:
    """The rendered job table (``html``), the page number it shows and a digest of it (``version``),
    cached under ``key``: the caller's key names the data version the table shows (and the minute of
    the listings that saw the jobs, ``polled``). ``total``: the number of jobs the filters keep (or
    how to get it on a miss), when the caller counts them without a COUNT query of the table's own."""

    def build() -> dict[str, Any]:
        team = access.team if access is not None else None
        context = _rows_context(
            request,
            scope,
            filters,
            page_number,
            team=team,
            access=access,
            credentials=credentials,
            polled=polled,
            total=total,
        )
        html = render_to_string("jobs/_job_table.html", context)
        return {"html": html, "page_number": context["page"].number, "version": digest(html)}

    table = cached(
        f"jobs:table:{key}:{digest((sorted(filters.as_query().items()), page_number, sorted((polled or {}).items())))}:"
        f"{int(time.time() // 60)}:{rendering_key()}",
        build,
        ttl=pagecache.PAGE_TTL,
    )
    return {**table, "html": mark_safe(table["html"])}  # noqa: S308 (our own render)


def _team_table(
    request, access: TeamAccess, filters, page_number: int, *, total: Callable[[], int] | None = None
) -> dict[str, Any]:
    """One team's job table, cached under the team's versions (its data and its jobs' figures) and the
    role (operators get the selection column); the credential names it shows change the team's version
    too."""
    team = access.team
    credentials, health = team_poll_state(team)
    return _job_table(
        request,
        team,
        filters,
        page_number,
        access=access,
        credentials=credentials,
        polled=presenters.polled_minutes(health),
        key=f"{team.pk}:{team.created_at.timestamp()}:{team.version}:{team.figures_version}:{access.role}",
        total=total,
    )


def _filters_html(filters, choices: dict[str, list[tuple[str, str]]]) -> str:
    """The filter form, rendered once per (filters, choices): it shows nothing else."""
    selected = {
        "groups": filters.status,
        "statuses": filters.status,
        "types": filters.job_type,
        "modes": filters.run_mode,
        "services": filters.service,
        "queues": filters.queue,
        "clusters": filters.cluster,
        "credentials": filters.credential,
    }

    def build() -> str:
        options = {name: presenters.option_tags(choices[name], selected[name]) for name in selected}
        return render_to_string(
            "jobs/_filters.html", {"filters": filters, "choices": choices, "options": options}
        )

    return fragment(
        f"jobs:filters:{digest((sorted(filters.as_query().items()), sorted(choices.items())))}", build
    )


def _status_counts(team: Team, filters) -> dict[str, int]:
    """The team's live jobs per status under ``filters`` but the status: a GROUP BY over all of the
    team's jobs, shared by every page, order and status filter of the list and read again only when
    the team's version changes (new figures of running jobs leave it alone)."""
    scoped = filters.counted()
    return cached(
        f"jobs:status-counts:{team.pk}:{team.created_at.timestamp()}:{team.version}:{digest(scoped)}",
        lambda: selectors.job_status_counts(team, scoped),
    )


def _summary_context(summary, filters) -> dict[str, Any]:
    rows = [
        {
            "group": s.group,
            "label": s.label,
            "count": s.count,
            "query": urlencode(filters.as_query(status=s.group)),
        }
        for s in summary
    ]
    return {
        "summary": rows,
        "summary_total": sum(s.count for s in summary),
        "all_query": urlencode(filters.as_query(status="")),
    }


def _rows_response(request, version: str, html: str) -> HttpResponse:
    """The live table's answer (``condition()`` answered 304 already when the browser has ``version``)."""
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-cache"
    response["X-Rows-Version"] = version
    return response


def _list_table(request, access: TeamAccess, filters) -> dict[str, Any]:
    """The job table a list request shows (cached; on a miss its total comes from the status counts)."""
    return _team_table(
        request,
        access,
        filters,
        _page_number(request),
        total=lambda: selectors.matching_count(_status_counts(access.team, filters), filters.status),
    )


def _live_rows(request, access: TeamAccess) -> dict[str, Any]:
    """A team's live rows (the freshness notice and the table) and their version, once per request."""
    found = getattr(request, "_live_rows", None)
    if found is None:
        freshness = cached(*_freshness_slots(access.team))
        table = _list_table(request, access, selectors.JobFilters.from_query(request.GET))
        found = request._live_rows = {
            "version": f"{table['version']}-{freshness['freshness_version']}",
            "html": mark_safe(freshness["freshness_html"]) + table["html"],  # noqa: S308 (our own render)
        }
    return found


def _live_rows_etag(request, access: TeamAccess) -> str:
    """The rows' version for ``condition()``: a browser that has it gets 304 without a job being read
    (the table comes from the cache)."""
    return _live_rows(request, access)["version"]


@team_view(GET=Role.VIEWER)
def job_list(request, access):
    """A team's jobs: the page rendered once per team version, role and query (``dashboard.pagecache``),
    the table in it once per version of the team's figures as well (it shows the jobs' rates, which
    change on every metrics cycle; the rest of the page does not)."""
    filters = selectors.JobFilters.from_query(request.GET)
    table = _list_table(request, access, filters)

    def build() -> str:
        context = _base(access)
        counts = _status_counts(access.team, filters)
        context.update(
            page_number=table["page_number"],
            **_summary_context(selectors.job_status_summary(access.team, filters, counts=counts), filters),
            filters=filters,
            query=urlencode(filters.as_query()),
            filters_html=_filters_html(
                filters, selectors.job_filter_choices(access.team, context["credentials"])
            ),
            rows_url=reverse("job_list_rows", kwargs={"team": access.team.slug}),
            freshness_in_rows=True,
            live_interval=_live_interval(),
            batch_form=BatchForm(),
            has_dli=any(c.is_dli for c in context["credentials"]),
            **pagecache.slot_context("freshness_html", "freshness_version", "job_table", "table_version"),
        )
        return render_to_string("jobs/job_list.html", context, request=request)

    table_slots = {"job_table": table["html"], "table_version": table["version"]}
    key = pagecache.page_key(request, access)
    return pagecache.serve(request, key, build, _freshness_slots(access.team), extra=table_slots)


@team_view(GET=Role.VIEWER)
@condition(etag_func=_live_rows_etag)
def job_list_rows(request, access):
    """The job table alone, for the live refresh: 304 when neither the table nor the freshness changed."""
    rows = _live_rows(request, access)
    return _rows_response(request, rows["version"], rows["html"])


def _all_jobs_table(request, teams, filters, page_number: int, *, total: int | None = None) -> dict[str, Any]:
    """The jobs of several teams, cached under the teams' versions."""
    versions = sorted(teams.values_list("pk", "version", "figures_version"))
    return _job_table(request, teams, filters, page_number, key=f"all:{digest(versions)}", total=total)


def _plain_filters(request) -> selectors.JobFilters:
    """Filters for jobs across teams: credentials and clusters belong to one team, so they are dropped."""
    filters = selectors.JobFilters.from_query(request.GET)
    if filters.credential is not None or filters.cluster is not None or filters.queue:
        filters = selectors.JobFilters(
            status=filters.status,
            job_type=filters.job_type,
            run_mode=filters.run_mode,
            q=filters.q,
            sort=filters.sort,
            service=filters.service,
        )
    return filters


@require_safe
@login_required
def jobs_all(request):
    """Jobs across every team of the user."""
    teams = Team.objects.for_user(request.user)
    filters = _plain_filters(request)
    counts = selectors.job_status_counts(teams, filters)
    table = _all_jobs_table(
        request, teams, filters, _page_number(request), total=selectors.matching_count(counts, filters.status)
    )
    context = {
        "job_table": table["html"],
        "page_number": table["page_number"],
        "table_version": table["version"],
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "teams": list(teams.only("slug", "name")),
        **_summary_context(selectors.job_status_summary(teams, filters, counts=counts), filters),
        "filters_html": _filters_html(filters, selectors.job_filter_choices_static()),
        "rows_url": reverse("jobs_all_rows"),
        "live_interval": _live_interval(),
    }
    return render(request, "jobs/jobs_all.html", context)


@require_safe
@login_required
def _all_rows(request) -> dict[str, Any]:
    found = getattr(request, "_all_rows", None)
    if found is None:
        table = _all_jobs_table(
            request, Team.objects.for_user(request.user), _plain_filters(request), _page_number(request)
        )
        found = request._all_rows = table
    return found


@require_safe
@login_required
@condition(etag_func=lambda request: _all_rows(request)["version"] if request.user.is_authenticated else None)
def jobs_all_rows(request):
    table = _all_rows(request)
    return _rows_response(request, table["version"], table["html"])


# ------------------------------------------------------------------------------------------ batch


def _list_url(team: Team, back: str) -> str:
    """The job list with the filters and page the user came from (rebuilt from known filters only)."""
    query = QueryDict(back.lstrip("?")[:2000])
    filters = selectors.JobFilters.from_query(query)
    params = filters.as_query()
    page = query.get("page", "")
    if page.isdigit() and len(page) < 7:
        params["page"] = page
    url = reverse("job_list", kwargs={"team": team.slug})
    return f"{url}?{urlencode(params)}" if params else url


_BATCH_RULES = {"run": ("run",), "stop": ("stop",), "delete": ("delete",)}


def _batch_rules(action: str, savepoint: bool) -> tuple[str, ...]:
    if action == "run" and savepoint:
        return ("resume",)
    if action == "stop" and savepoint:
        return ("stop", "savepoint")
    return _BATCH_RULES[action]


def _batch_messages(request, outcome: services.BatchOutcome, missing: int) -> None:
    done = [j.name for j in outcome.done]
    if done:
        text = {
            "run": ngettext("%(n)d submitted: %(names)s.", "%(n)d submitted: %(names)s.", len(done)),
            "stop": ngettext("%(n)d stopping: %(names)s.", "%(n)d stopping: %(names)s.", len(done)),
            "delete": ngettext("%(n)d deleted: %(names)s.", "%(n)d deleted: %(names)s.", len(done)),
        }[outcome.action]
        messages.success(request, text % {"n": len(done), "names": ", ".join(done)})
    if outcome.skipped:
        reasons = " ".join(reason for _job, reason in outcome.skipped)
        messages.warning(
            request,
            ngettext("%(n)d skipped: %(reasons)s", "%(n)d skipped: %(reasons)s", len(outcome.skipped))
            % {"n": len(outcome.skipped), "reasons": reasons},
        )
    for job, error in outcome.failed:
        messages.error(request, _("%(name)s: %(error)s") % {"name": job.name, "error": error})
    if missing:
        messages.warning(
            request,
            ngettext("%(n)d selected job no longer exists.", "%(n)d selected jobs no longer exist.", missing)
            % {"n": missing},
        )


@team_view(POST=Role.OPERATOR)
def job_batch(request, access):
    """Batch run / stop / delete: a confirmation naming the jobs (and those the action does not apply
    to), then one CS call per credential for the others; the outcome is reported per job."""
    form = BatchForm(request.POST)
    keys = list(dict.fromkeys(request.POST.getlist("jobs")))
    jobs = selectors.jobs_by_keys(access.team, keys)
    back = _list_url(access.team, request.POST.get("back", ""))
    if not form.is_valid():
        messages.error(request, _("Choose run, stop or delete."))
        return redirect(back)
    if not jobs:
        messages.error(
            request,
            _("Select at least one job first.") if not keys else _("None of these jobs exists any more."),
        )
        return redirect(back)
    action, savepoint = form.cleaned_data["action"], form.cleaned_data["savepoint"]
    missing = len(keys) - len(jobs)
    if not form.cleaned_data["confirmed"]:
        rules = _batch_rules(action, savepoint)
        rows = []
        for job in jobs:
            refusal = next((r for r in (job_refusal(job, name) for name in rules) if r), None)
            note = ""
            if refusal is None and action == "delete" and job.status_info.is_running:
                note = (
                    _("running: DLI stops it first")
                    if job.credential.is_dli
                    else _("running: CS stops it first")
                )
            rows.append({"job": job, "refusal": refusal, "note": note})
        applicable = sum(1 for row in rows if row["refusal"] is None)
        return render(
            request,
            "jobs/batch_confirm.html",
            _base(
                access,
                rows=rows,
                jobs=jobs,
                applicable=applicable,
                missing=missing,
                action=action,
                savepoint=savepoint,
                action_label=dict(BatchForm.ACTIONS)[action],
                back=request.POST.get("back", ""),
                back_url=back,
            ),
        )
    if action == "run":
        outcome = services.jobs_run_batch(
            access=access, user=request.user, jobs=jobs, resume_savepoint=savepoint
        )
    elif action == "stop":
        outcome = services.jobs_stop_batch(
            access=access, user=request.user, jobs=jobs, trigger_savepoint=savepoint
        )
    else:
        outcome = services.jobs_delete_batch(access=access, user=request.user, jobs=jobs)
    _batch_messages(request, outcome, missing)
    return redirect(back)


# ------------------------------------------------------------------------------------------ detail


def _details(job: Job) -> JobDetails | None:
    try:
        return job.details
    except JobDetails.DoesNotExist:
        return None


def _plan_source(job: Job) -> Any:
    raw = job.raw or {}
    details = _details(job)
    for value in (
        details and details.plan,
        job.execution_graph,
        raw.get("execute_plan_items"),
        raw.get("execute_graph"),
        raw.get("execution_graph"),
    ):
        if value:
            return value
    return None


def _apig_sinks(job: Job) -> list[dict[str, Any]]:
    raw = job.raw or {}
    details = _details(job)
    data = (details and details.apig_sinks) or raw.get("apig_sinks")
    if isinstance(data, dict):
        data = data.get("sinks")
    return [s for s in data if isinstance(s, dict)] if isinstance(data, list) else []


def _cached_charts(job: Job) -> tuple[dict[str, str], int]:
    """The job's charts, rendered once per new metric sample, language and time zone."""

    def build() -> tuple[dict[str, str], int]:
        samples = selectors.job_metric_samples(job)
        return charts.job_charts(samples), len(samples)

    stamp = job.metrics_at.timestamp() if job.metrics_at else 0
    return cached(f"jobs:charts:{job.pk}:{stamp}:{rendering_key()}", build)


def _job_signature(job: Job) -> str:
    """A digest of every stored column of the job (status, names, figures, configuration, last write...)."""
    return digest(tuple(getattr(job, f.attname) for f in Job._meta.concrete_fields))


def _details_signature(job: Job) -> str:
    details = _details(job)
    return digest(None if details is None else (details.pk, details.fetched_at, details.error))


def _logs_html(job: Job) -> str:
    """The CS audit log and the dashboard's action log of the job.

    Not cached: telling whether either changed needs both read, and once read they render in less
    time than a digest of their rows took."""
    audit = selectors.job_audit_traces(job)
    return render_to_string(
        "jobs/_job_logs.html",
        {
            "audit": audit,
            "audit_html": presenters.audit_rows_html(audit),
            "actions": selectors.job_action_log(job),
        },
    )


def _detail_fragments(job: Job, signature: str) -> dict[str, str]:
    """The heavy parts of the detail page, each rendered once per state of what it shows.

    The job and configuration tables depend on the job's columns and on its running duration as shown;
    the status history changes only with a status change, which rewrites the job (``last_seen`` and
    ``status`` are in the signature); the execution plan on the job and its fetched details.
    """
    duration = duration_ms(job.current_duration_ms)

    def fields() -> str:
        return render_to_string(
            "jobs/_job_fields.html",
            {
                "job": job,
                "dli_items": presenters.dli_job_items(job) if job.service == "dli" else [],
                "dli_config": presenters.dli_config_items(job) if job.service == "dli" else [],
                "cs_fields": presenters.cs_job_fields(job) if job.service != "dli" else {},
            },
        )

    def history() -> str:
        changes = selectors.job_status_history(job)
        return render_to_string(
            "jobs/_job_history.html",
            {
                "history": changes,
                "history_html": presenters.status_history_html(changes),
                "first_seen": job.first_seen,
            },
        )

    def plan() -> str:
        return graph.render_svg(_plan_source(job)) or ""

    return {
        "fields_html": fragment(f"jobs:detail:fields:{job.pk}:{signature}:{digest(duration)}", fields),
        "history_html": fragment(f"jobs:detail:history:{job.pk}:{signature}", history),
        "plan_svg": fragment(f"jobs:detail:plan:{job.pk}:{signature}:{_details_signature(job)}", plan),
    }


@team_view(GET=Role.VIEWER)
def job_detail(request, access, credential, job_id):
    """One job: rendered once per team version, role, minute and state of the job's figures
    (``dashboard.pagecache``): new figures of the team's other jobs leave it alone."""

    def build() -> str:
        job = selectors.job_get(access.team, credential, job_id)
        context = _detail_context(access, job)
        context.update(pagecache.slot_context("freshness_html"))
        context["live_url"] = reverse(
            "job_detail_live", kwargs={"team": access.team.slug, "credential": credential, "job_id": job_id}
        )
        context["live_interval"] = _live_interval()
        context["live_version"] = _detail_version(access, job, savepoint=context["savepoint"])
        return render_to_string("jobs/job_detail.html", context, request=request)

    key = pagecache.page_key(request, access, selectors.job_figures_stamp(access.team, credential, job_id))
    return pagecache.serve(request, key, build, _freshness_slots(access.team))


def _detail_context(access: TeamAccess, job: Job) -> dict[str, Any]:
    """What the job page shows (the live part refreshes it in place)."""
    chart_svgs, sample_count = _cached_charts(job)
    is_sql = (
        job.job_type in vocab.SQL_JOB_TYPES
        or job.job_type in vocab.DLI_SQL_JOB_TYPES
        or (not job.job_type and bool(job.sql_body))
    )
    # The plan and APIG sinks come from CS only on request: fetched in the background, never here;
    # the fetch changes the team's version, so the page renders again with them.
    details_pending = is_sql and services.job_details_due(job)
    if details_pending:
        services.job_details_request(job)
    _credentials, health = team_poll_state(access.team)
    polled = presenters.polled_minutes(health).get(job.credential_id) if job.deleted_at is None else None
    return _base(
        access,
        job=job,
        job_key=selectors.job_key(job),
        **_detail_fragments(job, _job_signature(job)),
        charts=chart_svgs,
        sample_count=sample_count,
        apig_sinks=_apig_sinks(job),
        logs_html=_logs_html(job),
        runs=selectors.job_runs(job),
        savepoint=selectors.job_latest_savepoint(job),
        savepoint_location=services.savepoint_location(job),
        updated=polled or job.last_seen,
        run_form=RunForm(),
        stop_form=StopForm(),
        is_sql=is_sql,
        service_name="DLI" if job.service == "dli" else "CS",
        default_savepoint_path=services.default_savepoint_path(job) if job.service == "dli" else "",
        can_copy_to_dli=access.is_operator
        and copy_to_dli.copy_refusal(job) is None
        and any(c.is_dli for c in _credentials),
        details_pending=details_pending,
        details_error=getattr(_details(job), "error", ""),
    )


def _detail_version(access: TeamAccess, job: Job, *, savepoint: Any) -> str:
    """What the live part of a job page shows depends on: the job's columns, its fetched details, its
    latest ``savepoint`` (:func:`selectors.job_latest_savepoint`), the minute (running durations,
    "Updated"), the role and the build, language and time zone. Equal versions: the browser keeps what
    it has (304)."""
    _credentials, health = team_poll_state(access.team)
    polled = presenters.polled_minutes(health).get(job.credential_id)
    return digest(
        (
            _job_signature(job),
            _details_signature(job),
            savepoint.pk if savepoint else None,
            polled,
            int(time.time() // 60),
            access.role,
            rendering_key(),
        )
    )


def _detail_live_state(request, access: TeamAccess, credential, job_id) -> dict[str, Any]:
    found = getattr(request, "_detail_live", None)
    if found is None:
        job = selectors.job_get(access.team, credential, job_id)
        version = _detail_version(access, job, savepoint=selectors.job_latest_savepoint(job))
        found = request._detail_live = {"access": access, "job": job, "version": version}
    return found


@team_view(GET=Role.VIEWER)
@condition(
    etag_func=lambda request, access, credential, job_id: _detail_live_state(
        request, access, credential, job_id
    )["version"]
)
def job_detail_live(request, access, credential, job_id):
    """The live part of a job page, for its refresh in place: 304 while nothing it shows changed."""
    state = _detail_live_state(request, access, credential, job_id)
    context = _detail_context(access, state["job"])
    response = render(request, "jobs/_detail_live.html", context)
    response["Cache-Control"] = "private, no-cache"
    response["X-Rows-Version"] = state["version"]
    return response


def _after_action(request, access, job, exc: Exception | None, ok: str):
    if exc is not None:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, ok)
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


@team_view(POST=Role.OPERATOR)
def job_run(request, access, credential, job_id):
    job = selectors.job_get(access.team, credential, job_id)
    form = RunForm(request.POST)
    resume = form.is_valid() and form.cleaned_data["resume_savepoint"]
    try:
        services.job_run(access=access, user=request.user, job=job, resume_savepoint=resume)
    except (CSError, ActionRefused) as exc:
        return _after_action(request, access, job, exc, "")
    return _after_action(request, access, job, None, _("%(name)s is being submitted.") % {"name": job.name})


@team_view(POST=Role.OPERATOR)
def job_stop(request, access, credential, job_id):
    job = selectors.job_get(access.team, credential, job_id)
    form = StopForm(request.POST)
    savepoint = form.is_valid() and form.cleaned_data["trigger_savepoint"]
    try:
        services.job_stop(access=access, user=request.user, job=job, trigger_savepoint=savepoint)
    except (CSError, ActionRefused) as exc:
        return _after_action(request, access, job, exc, "")
    return _after_action(request, access, job, None, _("%(name)s is stopping.") % {"name": job.name})


@team_view(POST=Role.OPERATOR)
def job_delete(request, access, credential, job_id):
    job = selectors.job_get(access.team, credential, job_id)
    try:
        services.job_delete(access=access, user=request.user, job=job)
    except (CSError, ActionRefused) as exc:
        return _after_action(request, access, job, exc, "")
    messages.success(request, _("%(name)s deleted.") % {"name": job.name})
    return redirect("job_list", team=access.team.slug)


# ------------------------------------------------------------------------------------------ SQL forms


def _obs_offer(form, exc: CSError) -> str:
    """The bucket to offer to authorize when CS says it is not authorized, else ""."""
    if getattr(exc, "code", "") in OBS_NOT_AUTHORIZED:
        return services.bucket_name(getattr(form, "payload", {}).get("obs_bucket", ""))
    return ""


def _clone_initial(access, request, form_class) -> dict[str, Any]:
    key = request.GET.get("clone", "")
    if not key:
        return {}
    cred, _, job_id = key.partition(":")
    if not job_id.isdigit():
        raise Http404("No such job")
    try:
        job = selectors.job_get(access.team, cred, int(job_id))
    except Exception as exc:
        raise Http404("No such job") from exc
    if form_class is None:
        form_class = _form_class_for(job)
    initial = form_class.initial_from_job(job)
    initial["name"] = f"{job.name}_copy"[:57]
    return initial


def _template_initial(access, request) -> dict[str, Any]:
    key = request.GET.get("template", "")
    if not key:
        return {}
    cred, _, tid = key.partition(":")
    if not tid.isdigit():
        raise Http404("No such template")
    try:
        template = selectors.template_get(access.team, cred, int(tid))
    except Exception as exc:
        raise Http404("No such template") from exc
    return {"template": key, "sql_body": template.sql_body, "credential": str(template.credential.public_id)}


def _sql_form_context(
    access,
    form,
    *,
    job=None,
    cs_error=None,
    obs_offer="",
    versions=None,
    diff=None,
    credentials=None,
    **extra,
):
    service = getattr(form, "service", "cs")
    return _base(
        access,
        **_switch_context(access, credentials, service, "sql_job_create", job),
        **extra,
        form=form,
        job=job,
        cs_error=cs_error,
        obs_offer=obs_offer,
        versions=versions or [],
        diff=diff,
        template_base=reverse("template_list", kwargs={"team": access.team.slug}),
    )


@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def sql_job_create(request, access):
    credentials = _team_credentials(access.team)
    initial: dict[str, Any] = {}
    if request.method == "GET":
        initial = {**_clone_initial(access, request, None), **_template_initial(access, request)}
    if _wants_dli(request, credentials, initial):
        return _dli_form_view(request, access, "sql", credentials=credentials, initial=initial)
    kwargs = {
        "credentials": [c for c in credentials if not c.is_dli],
        "clusters": selectors.team_clusters(access.team),
        "templates": [t for t in selectors.template_list(access.team) if not t.credential.is_dli],
    }
    if request.method == "GET":
        form = SqlJobForm(initial=initial, **kwargs)
        return render(
            request, "jobs/sql_job_form.html", _sql_form_context(access, form, credentials=credentials)
        )
    form = SqlJobForm(request.POST, **kwargs)
    if not form.is_valid():
        return render(
            request,
            "jobs/sql_job_form.html",
            _sql_form_context(access, form, credentials=credentials),
            status=400,
        )
    run = _submit(request).endswith("run")
    try:
        if _submit(request).startswith("authorize"):
            services.obs_authorize_bucket_of(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                obs_path=form.payload.get("obs_bucket", ""),
            )
        job = services.job_create_sql(
            access=access, user=request.user, credential=form.chosen_credential, data=form.payload, run=run
        )
    except services.SavedNotRun as saved:
        return _saved_not_run(request, access, saved)
    except (CSError, ActionRefused) as exc:
        return _sql_failed(request, access, form, exc)
    messages.success(
        request,
        (_("Job %(name)s saved and submitted.") if run else _("Job %(name)s saved.")) % {"name": job.name},
    )
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


def _saved_not_run(request, access, saved: services.SavedNotRun):
    """ "Save and run" saved the job but CS refused to run it: the saved job's form, with the reason.

    Pressing "Save and run" there again updates that job and runs it (no second job is created).
    """
    job = saved.job
    messages.warning(
        request,
        _("%(name)s is saved as a draft; CS refused to run it: %(reason)s")
        % {"name": job.name, "reason": error_text(saved.cause)},
    )
    return redirect("job_edit", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id)


def _sql_failed(request, access, form, exc, *, job=None, versions=None, diff=None):
    offer = _obs_offer(form, exc)
    placed = form.add_cs_error(exc, ERROR_FIELDS)
    return render(
        request,
        "jobs/sql_job_form.html",
        _sql_form_context(
            access,
            form,
            job=job,
            cs_error=None if placed else error_context(exc),
            obs_offer=offer,
            versions=versions,
            diff=diff,
        ),
        status=400,
    )


def _versions_and_diff(job: Job, restore: str | None) -> tuple[list, list | None, str | None]:
    versions = selectors.sql_versions(job)
    diff = None
    if len(versions) >= 2:
        new, old = versions[0], versions[1]
        diff = list(
            difflib.unified_diff(
                old.sql_body.splitlines(),
                new.sql_body.splitlines(),
                fromfile=f"version {len(versions) - 1}",
                tofile=f"version {len(versions)}",
                lineterm="",
            )
        )
    restored = None
    if restore and restore.isdigit():
        number = int(restore)  # versions are numbered from 1 (the oldest)
        if 1 <= number <= len(versions):
            restored = versions[len(versions) - number].sql_body
    return versions, diff, restored


@limit_uploads
@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def job_edit(request, access, credential, job_id):
    job = selectors.job_get(access.team, credential, job_id)
    if request.method == "GET" and not job.can["edit"]:
        messages.warning(request, job.refusals["edit"])
        return redirect(
            "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
        )
    if job.credential.is_dli:
        kind = "jar" if job.job_type in vocab.DLI_JAR_JOB_TYPES else "sql"
        return _dli_form_view(request, access, kind, credentials=[job.credential], job=job)
    if job.job_type in vocab.JAR_JOB_TYPES:
        return _jar_form_view(request, access, job=job)
    kwargs = {
        "credentials": [job.credential],
        "clusters": selectors.team_clusters(access.team, job.credential),
        "job": job,
    }
    versions, diff, restored = _versions_and_diff(job, request.GET.get("restore"))
    if request.method == "GET":
        initial = SqlJobForm.initial_from_job(job)
        if restored is not None:
            initial["sql_body"] = restored
            messages.info(request, _("A saved version is loaded into the editor: save to make it current."))
        form = SqlJobForm(initial=initial, **kwargs)
        return render(
            request,
            "jobs/sql_job_form.html",
            _sql_form_context(access, form, job=job, versions=versions, diff=diff),
        )
    form = SqlJobForm(request.POST, **kwargs)
    if not form.is_valid():
        return render(
            request,
            "jobs/sql_job_form.html",
            _sql_form_context(access, form, job=job, versions=versions, diff=diff),
            status=400,
        )
    run = _submit(request).endswith("run")
    try:
        if _submit(request).startswith("authorize"):
            services.obs_authorize_bucket_of(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                obs_path=form.payload.get("obs_bucket", ""),
            )
        services.job_update_sql(access=access, user=request.user, job=job, data=form.payload, run=run)
    except services.SavedNotRun as saved:
        return _saved_not_run(request, access, saved)
    except (CSError, ActionRefused) as exc:
        return _sql_failed(request, access, form, exc, job=job, versions=versions, diff=diff)
    messages.success(
        request,
        (_("Job %(name)s saved and submitted.") if run else _("Job %(name)s saved.")) % {"name": job.name},
    )
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


# ------------------------------------------------------------------------------------------ JAR forms


def _wants_json(request) -> bool:
    return request.headers.get(
        "X-Requested-With"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("Accept", "")


def _jar_render(request, access, form, *, job=None, cs_error=None, obs_offer="", status=200):
    context = _base(
        access,
        form=form,
        job=job,
        cs_error=cs_error,
        obs_offer=obs_offer,
        **_switch_context(access, _team_credentials(access.team), "cs", "jar_job_create", job),
    )
    if request.method == "POST" and _wants_json(request):
        html = render_to_string("jobs/_jar_form_body.html", context, request=request)
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        if cs_error:
            errors.setdefault("__all__", []).append(cs_error["description"])
        return JsonResponse({"ok": False, "errors": errors, "form_html": html}, status=status)
    return render(request, "jobs/jar_job_form.html", context, status=status)


def _jar_form_view(request, access, *, job: Job | None = None):
    kwargs = {
        "credentials": [job.credential] if job else Credential.objects.filter(team=access.team, service="cs"),
        "clusters": selectors.team_clusters(access.team, job.credential if job else None),
        "job": job,
    }
    if request.method == "GET":
        initial = JarJobForm.initial_from_job(job) if job else _clone_initial(access, request, JarJobForm)
        return _jar_render(request, access, JarJobForm(initial=initial, **kwargs), job=job)
    form = JarJobForm(request.POST, request.FILES, **kwargs)
    too_large = getattr(request, "upload_too_large", None)
    if too_large:  # stopped at the limit: the rest of the body was not read
        form.is_valid()
        form.errors.pop(too_large, None)
        form.add_error(
            too_large if too_large in form.fields else None,
            _("The file is larger than %(mb)d MB, the most CS accepts (CS.11031).")
            % {"mb": limits.UPLOAD_MAX_BYTES // (1024 * 1024)},
        )
        return _jar_render(request, access, form, job=job, status=400)
    if not form.is_valid():
        return _jar_render(request, access, form, job=job, status=400)
    run = _submit(request).endswith("run")
    jar = form.cleaned_data.get("jar")
    config = form.cleaned_data.get("config")
    files = {
        "jar": (jar.name, jar) if jar else None,
        "config": (config.name, config) if config else None,
    }
    try:
        if _submit(request).startswith("authorize"):
            services.obs_authorize_bucket_of(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                obs_path=form.payload.get("obs_bucket", ""),
            )
        if job is None:
            job = services.job_create_jar(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                data=form.payload,
                run=run,
                **files,
            )
        else:
            services.job_update_jar(
                access=access, user=request.user, job=job, data=form.payload, run=run, **files
            )
    except services.SavedNotRun as saved:
        response = _saved_not_run(request, access, saved)
        if _wants_json(request):
            return JsonResponse({"ok": True, "redirect": response["Location"]})
        return response
    except (CSError, ActionRefused) as exc:
        offer = _obs_offer(form, exc)
        placed = form.add_cs_error(exc, ERROR_FIELDS)
        return _jar_render(
            request,
            access,
            form,
            job=job if form.job else None,
            cs_error=None if placed else error_context(exc),
            obs_offer=offer,
            status=400,
        )
    messages.success(
        request,
        (_("Job %(name)s saved and submitted.") if run else _("Job %(name)s saved.")) % {"name": job.name},
    )
    url = reverse(
        "job_detail",
        kwargs={"team": access.team.slug, "credential": job.credential.public_id, "job_id": job.job_id},
    )
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


@limit_uploads
@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def jar_job_create(request, access):
    credentials = _team_credentials(access.team)
    initial = _clone_initial(access, request, None) if request.method == "GET" else {}
    if _wants_dli(request, credentials, initial):
        return _dli_form_view(request, access, "jar", credentials=credentials, initial=initial)
    return _jar_form_view(request, access)


@team_view(GET=Role.OPERATOR)
def job_clone(request, access, credential, job_id):
    job = selectors.job_get(access.team, credential, job_id)
    name = "jar_job_create" if job.job_type in vocab.JAR_JOB_TYPES else "sql_job_create"
    url = reverse(name, kwargs={"team": access.team.slug})
    return redirect(f"{url}?{urlencode({'clone': selectors.job_key(job)})}")


# ------------------------------------------------------------------------------------------ templates


@team_view(GET=Role.VIEWER)
def template_list(request, access):
    templates = list(selectors.template_list(access.team))
    context = _base(access, ("templates",), templates=templates, max_templates=limits.TEMPLATES_MAX)
    return render(request, "jobs/template_list.html", context)


def _template_counts(team: Team) -> dict[int, int]:
    return selectors.template_counts(team)


@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def template_create(request, access):
    credentials = _team_credentials(access.team)
    dli = _wants_dli(request, credentials, {})
    kwargs = {
        "credentials": [c for c in credentials if c.is_dli == dli],
        "counts": _template_counts(access.team),
    }
    form = (DliTemplateForm if dli else TemplateForm)(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_create(
                access=access, user=request.user, credential=form.chosen_credential, data=form.payload
            )
        except (CSError, ActionRefused) as exc:
            return _template_failed(request, access, form, exc)
        messages.success(request, _("Template %(name)s created.") % {"name": form.payload["name"]})
        return redirect("template_list", team=access.team.slug)
    status = 400 if request.method == "POST" else 200
    switch = _switch_context(access, credentials, "dli" if dli else "cs", "template_create")
    return render(request, "jobs/template_form.html", _base(access, form=form, **switch), status=status)


def _template_failed(request, access, form, exc, template=None):
    placed = form.add_cs_error(exc, ERROR_FIELDS)
    return render(
        request,
        "jobs/template_form.html",
        _base(access, form=form, template=template, cs_error=None if placed else error_context(exc)),
        status=400,
    )


@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def template_edit(request, access, credential, template_id):
    template = selectors.template_get(access.team, credential, template_id)
    initial = {"name": template.name, "desc": template.desc, "sql_body": template.sql_body}
    form = (DliTemplateForm if template.credential.is_dli else TemplateForm)(
        request.POST or None, initial=initial, credentials=[template.credential], template=template
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(access=access, user=request.user, template=template, data=form.payload)
        except (CSError, ActionRefused) as exc:
            return _template_failed(request, access, form, exc, template)
        messages.success(request, _("Template %(name)s saved.") % {"name": template.name})
        return redirect("template_list", team=access.team.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "jobs/template_form.html", _base(access, form=form, template=template), status=status
    )


@team_view(POST=Role.OPERATOR)
def template_delete(request, access, credential, template_id):
    template = selectors.template_get(access.team, credential, template_id)
    try:
        services.template_delete(access=access, user=request.user, template=template)
    except (CSError, ActionRefused) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Template %(name)s deleted.") % {"name": template.name})
    return redirect("template_list", team=access.team.slug)


@team_view(GET=Role.VIEWER)
def template_sql(request, access, credential, template_id):
    """A template's SQL as JSON, for the template picker of the SQL job form."""
    template: Template = selectors.template_get(access.team, credential, template_id)
    return JsonResponse({"name": template.name, "sql_body": template.sql_body})


# ------------------------------------------------------------------------------------------ DLI forms


def _team_credentials(team: Team) -> list[Credential]:
    """The team's credentials of both services (one query), for the forms' credential choice."""
    return list(Credential.objects.filter(team=team).order_by("name", "id"))


def _form_class_for(job: Job):
    if job.credential.is_dli:
        return DliJarJobForm if job.job_type in vocab.DLI_JAR_JOB_TYPES else DliSqlJobForm
    return JarJobForm if job.job_type in vocab.JAR_JOB_TYPES else SqlJobForm


def _wants_dli(request, credentials: list[Credential], initial: dict[str, Any]) -> bool:
    """Whether a new job's form is DLI's: the credential posted, or asked for (``?credential=``, a
    template's or a cloned job's), or ``?service=dli``; else CS's when the team has a CS credential."""
    if request.method == "POST":
        key = request.POST.get("credential", "")
    else:
        key = str(initial.get("credential") or request.GET.get("credential", ""))
    chosen = next((c for c in credentials if str(c.public_id) == key), None)
    if chosen is not None:
        return chosen.is_dli
    if request.method == "GET" and request.GET.get("service") in ("cs", "dli"):
        return request.GET["service"] == "dli"
    return not any(not c.is_dli for c in credentials) and any(c.is_dli for c in credentials)


def _switch_context(access, credentials, service: str, url_name: str, job=None) -> dict[str, Any]:
    """The "which service" switch of a new job's form: shown when the team has both kinds."""
    credentials = list(credentials or [])
    both = job is None and {c.is_dli for c in credentials} == {True, False}
    url = reverse(url_name, kwargs={"team": access.team.slug})
    return {
        "service": service,
        "service_name": "DLI" if service == "dli" else "CS",
        "service_switch": [
            {"label": name, "url": f"{url}?service={key}", "current": key == service}
            for key, name in (("cs", "CS"), ("dli", "DLI"))
        ]
        if both
        else [],
    }


def _dli_kwargs(access, credentials, job=None) -> dict[str, Any]:
    return {
        "credentials": [c for c in credentials if c.is_dli],
        "queues": selectors.team_queues(access.team, job.credential if job else None),
        "job": job,
    }


def _dli_template(kind: str) -> str:
    return "jobs/sql_job_form.html" if kind == "sql" else "jobs/dli_jar_job_form.html"


def _dli_render(request, access, kind, form, *, credentials, job=None, status=200, **extra):
    context = _sql_form_context(
        access,
        form,
        job=job,
        credentials=credentials,
        **extra,
    )
    if kind == "jar":
        context.update(_switch_context(access, credentials, "dli", "jar_job_create", job))
    return render(request, _dli_template(kind), context, status=status)


def _dli_form_view(request, access, kind: str, *, credentials, job=None, initial=None):
    """A DLI SQL or JAR job's form: create (``job`` None) or edit; every limit checked before DLI."""
    form_class = DliSqlJobForm if kind == "sql" else DliJarJobForm
    kwargs = _dli_kwargs(access, credentials, job)
    if kind == "sql":
        kwargs["templates"] = selectors.template_list(access.team) if job is None else ()
    versions, diff, restored = (
        _versions_and_diff(job, request.GET.get("restore")) if job and kind == "sql" else ([], None, None)
    )
    extra = {"versions": versions, "diff": diff}
    if request.method == "GET":
        initial = form_class.initial_from_job(job) if job is not None else dict(initial or {})
        if restored is not None:
            initial["sql_body"] = restored
            messages.info(request, _("A saved version is loaded into the editor: save to make it current."))
        form = form_class(initial=initial, **kwargs)
        return _dli_render(request, access, kind, form, credentials=credentials, job=job, **extra)
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _dli_render(request, access, kind, form, credentials=credentials, job=job, status=400, **extra)
    run = _submit(request).endswith("run")
    try:
        if job is None:
            create = services.job_create_sql if kind == "sql" else services.job_create_jar
            job = create(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                data=form.payload,
                run=run,
            )
        else:
            update = services.job_update_sql if kind == "sql" else services.job_update_jar
            update(access=access, user=request.user, job=job, data=form.payload, run=run)
    except services.SavedNotRun as saved:
        return _saved_not_run(request, access, saved)
    except (CSError, ActionRefused) as exc:
        placed = form.add_cs_error(exc)
        return _dli_render(
            request,
            access,
            kind,
            form,
            credentials=credentials,
            job=form.job,
            status=400,
            cs_error=None if placed else error_context(exc),
            **extra,
        )
    text = _("Job %(name)s saved and submitted.") if run else _("Job %(name)s saved.")
    messages.success(request, text % {"name": job.name})
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


# ------------------------------------------------------------------------------------------ savepoints


@team_view(POST=Role.OPERATOR)
def job_savepoint(request, access, credential, job_id):
    """Trigger a savepoint of a running DLI job at an OBS path (D13); the job keeps running."""
    job = selectors.job_get(access.team, credential, job_id)
    form = SavepointForm(request.POST)
    if not form.is_valid():
        error = next(iter(form.errors.get("savepoint_path") or form.non_field_errors() or [""]))
        return _after_action(
            request, access, job, ActionRefused(str(error), action="savepoint", reason="bad"), ""
        )
    path = form.cleaned_data["savepoint_path"] or services.default_savepoint_path(job)
    if not path and job.credential.is_dli:
        refused = ActionRefused(
            _("Give the OBS path of the savepoint (the job has no OBS bucket to put it in)."),
            action="savepoint",
            reason="no_path",
        )
        return _after_action(request, access, job, refused, "")
    try:
        services.job_trigger_savepoint(access=access, user=request.user, job=job, savepoint_path=path)
    except (CSError, ActionRefused) as exc:
        return _after_action(request, access, job, exc, "")
    return _after_action(
        request,
        access,
        job,
        None,
        _("A savepoint of %(name)s is being made at %(path)s.") % {"name": job.name, "path": path},
    )


# ------------------------------------------------------------------------------------------ copy to DLI


def _dli_credentials_or_none(access) -> list[Credential]:
    return list(Credential.objects.filter(team=access.team, service="dli").order_by("name", "id"))


@team_view(GET=Role.OPERATOR, POST=Role.OPERATOR)
def job_copy_to_dli(request, access, credential, job_id):
    """A CS SQL job's copy on DLI: DLI's SQL form prefilled from the job, with what could not be carried
    over listed; saving creates the DLI job as a draft (it is never run from here)."""
    job = selectors.job_get(access.team, credential, job_id)
    dli_credentials = _dli_credentials_or_none(access)
    refusal = copy_to_dli.copy_refusal(job) or (
        None if dli_credentials else _("The team has no DLI credential yet: a lead adds one first.")
    )
    if refusal:
        messages.warning(request, refusal)
        return redirect(
            "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
        )
    kwargs = {**_dli_kwargs(access, dli_credentials), "templates": ()}
    default_key = str(dli_credentials[0].public_id) if len(dli_credentials) == 1 else ""
    plan = copy_to_dli.plan_copy(job, credential_key=default_key)
    kind = "jar" if copy_to_dli.is_jar(job) else "sql"
    form_class = DliJarJobForm if kind == "jar" else DliSqlJobForm
    context = {"copy_from": job, "copy_plan": plan, "credentials": dli_credentials}
    if request.method == "GET":
        form = form_class(initial=plan.initial, **kwargs)
        return _dli_render(request, access, kind, form, **context)
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _dli_render(request, access, kind, form, status=400, **context)
    create = services.job_create_jar if kind == "jar" else services.job_create_sql
    try:
        created = create(
            access=access, user=request.user, credential=form.chosen_credential, data=form.payload, run=False
        )
    except (CSError, ActionRefused) as exc:
        placed = form.add_cs_error(exc)
        return _dli_render(
            request,
            access,
            kind,
            form,
            status=400,
            cs_error=None if placed else error_context(exc),
            **context,
        )
    messages.success(
        request,
        _("%(name)s is copied to DLI as a draft; the CS job %(cs)s is left as it was.")
        % {"name": created.name, "cs": job.name},
    )
    return redirect(
        "job_detail", team=access.team.slug, credential=created.credential.public_id, job_id=created.job_id
    )


@team_view(POST=Role.OPERATOR)
def jobs_copy_to_dli(request, access):
    """Copy a selection of CS jobs to DLI as drafts: a page naming each job with what will not be carried
    over and asking for the DLI credential and queue, then one create per job, each checked by DLI's
    SQL job form first; the outcome is reported per job."""
    keys = list(dict.fromkeys(request.POST.getlist("jobs")))
    jobs = selectors.jobs_by_keys(access.team, keys)
    back = _list_url(access.team, request.POST.get("back", ""))
    dli_credentials = _dli_credentials_or_none(access)
    if not dli_credentials:
        messages.error(request, _("The team has no DLI credential yet: a lead adds one first."))
        return redirect(back)
    if not jobs:
        messages.error(request, _("Select at least one job first."))
        return redirect(back)
    kwargs = {**_dli_kwargs(access, dli_credentials), "templates": ()}
    target = CopyTargetForm(request.POST, credentials=dli_credentials, queues=kwargs["queues"])
    plans = [copy_to_dli.plan_copy(job) for job in jobs]
    if request.POST.get("confirmed") != "on" or not target.is_valid():
        if request.POST.get("confirmed") != "on":
            target = CopyTargetForm(
                initial={"credential": str(dli_credentials[0].public_id)}
                if len(dli_credentials) == 1
                else {},
                credentials=dli_credentials,
                queues=kwargs["queues"],
            )
        return render(
            request,
            "jobs/copy_to_dli_batch.html",
            _base(
                access,
                plans=plans,
                target=target,
                applicable=sum(1 for p in plans if p.possible),
                back=request.POST.get("back", ""),
                back_url=back,
            ),
            status=400 if request.POST.get("confirmed") == "on" else 200,
        )
    created, failed = [], []
    for plan in plans:
        if not plan.possible:
            failed.append((plan.job, plan.refusal))
            continue
        data = _form_data(
            {
                **plan.initial,
                "credential": target.cleaned_data["credential"],
                "queue_name": target.cleaned_data["queue_name"],
            }
        )
        jar = copy_to_dli.is_jar(plan.job)
        form = (DliJarJobForm if jar else DliSqlJobForm)(data, **kwargs)
        if not form.is_valid():
            failed.append((plan.job, _form_errors_text(form)))
            continue
        try:
            new = (services.job_create_jar if jar else services.job_create_sql)(
                access=access,
                user=request.user,
                credential=form.chosen_credential,
                data=form.payload,
                run=False,
            )
        except (CSError, ActionRefused) as exc:
            failed.append((plan.job, error_text(exc)))
            continue
        created.append(new)
    if created:
        messages.success(
            request,
            ngettext(
                "%(n)d copied to DLI as a draft: %(names)s.",
                "%(n)d copied to DLI as drafts: %(names)s.",
                len(created),
            )
            % {"n": len(created), "names": ", ".join(j.name for j in created)},
        )
    for job, reason in failed:
        messages.error(request, _("%(name)s not copied: %(error)s") % {"name": job.name, "error": reason})
    return redirect(back)


def _form_data(initial: dict[str, Any]) -> QueryDict:
    """A form's initial values as the browser would post them (booleans as "on", None left out)."""
    data = QueryDict(mutable=True)
    for key, value in initial.items():
        if value is None or value is False:
            continue
        data[key] = "on" if value is True else str(value)
    return data


def _form_errors_text(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(
            _("%(field)s: %(errors)s") % {"field": label, "errors": " ".join(errors)}
            if label
            else " ".join(errors)
        )
    return " ".join(parts)
