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
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import condition, require_http_methods, require_POST, require_safe

from csapi import CSError, limits, vocab
from csapi.errors import ERROR_FIELDS, OBS_NOT_AUTHORIZED
from dashboard import pagecache
from dashboard.jobs import charts, graph, presenters, selectors, services
from dashboard.jobs.forms import (
    BatchForm,
    JarJobForm,
    RunForm,
    SqlJobForm,
    StopForm,
    TemplateForm,
)
from dashboard.jobs.models import Job, JobDetails, Template
from dashboard.jobs.templatetags.jobs_tags import duration_ms
from dashboard.pagecache import cached, digest, fragment, rendering_key
from dashboard.polling.selectors import team_freshness, team_poll_state
from dashboard.teams.access import TeamAccess, get_team_for_user
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
) -> dict[str, Any]:
    paginator = Paginator(selectors.job_list(scope, filters), PAGE_SIZE)
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
    return {
        "page": page,
        "jobs": jobs,
        "rows": presenters.job_rows(jobs, base_url=base_url, multi_team=team is None),
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "sort_links": {
            key: urlencode(filters.as_query(sort=("-" + key) if filters.sort == key else key))
            for key in selectors.SORTS
        },
        "multi_team": team is None,
        "selectable": team is not None and access is not None and access.is_operator,
        "show_credential": team is None or len(credentials or []) > 1,
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
) -> dict[str, Any]:
    """The rendered job table (``html``), the page number it shows and a digest of it (``version``),
    cached under ``key``: the caller's key names the data version the table shows."""

    def build() -> dict[str, Any]:
        team = access.team if access is not None else None
        context = _rows_context(
            request, scope, filters, page_number, team=team, access=access, credentials=credentials
        )
        html = render_to_string("jobs/_job_table.html", context)
        return {"html": html, "page_number": context["page"].number, "version": digest(html)}

    table = cached(
        f"jobs:table:{key}:{digest((sorted(filters.as_query().items()), page_number))}:"
        f"{int(time.time() // 60)}:{rendering_key()}",
        build,
        ttl=pagecache.PAGE_TTL,
    )
    return {**table, "html": mark_safe(table["html"])}  # noqa: S308 (our own render)


def _team_table(request, access: TeamAccess, filters, page_number: int) -> dict[str, Any]:
    """One team's job table, cached under the team's version and the role (operators get the selection
    column); the credential names it shows change the team's version too."""
    team = access.team
    credentials, _health = team_poll_state(team)
    return _job_table(
        request,
        team,
        filters,
        page_number,
        access=access,
        credentials=credentials,
        key=f"{team.pk}:{team.created_at.timestamp()}:{team.version}:{access.role}",
    )


def _filters_html(filters, choices: dict[str, list[tuple[str, str]]]) -> str:
    """The filter form, rendered once per (filters, choices): it shows nothing else."""
    return fragment(
        f"jobs:filters:{digest((sorted(filters.as_query().items()), sorted(choices.items())))}",
        lambda: render_to_string("jobs/_filters.html", {"filters": filters, "choices": choices}),
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


def _live_rows(request, team) -> dict[str, Any]:
    """A team's live rows (the freshness notice and the table) and their version, once per request."""
    found = getattr(request, "_live_rows", None)
    if found is None:
        access = get_team_for_user(request.user, team)
        freshness = cached(*_freshness_slots(access.team))
        table = _team_table(
            request, access, selectors.JobFilters.from_query(request.GET), _page_number(request)
        )
        found = request._live_rows = {
            "version": f"{table['version']}-{freshness['freshness_version']}",
            "html": mark_safe(freshness["freshness_html"]) + table["html"],  # noqa: S308 (our own render)
        }
    return found


def _live_rows_etag(request, team) -> str | None:
    """The rows' version for ``condition()``: a browser that has it gets 304 without a job being read
    (the table comes from the cache). Outsiders and anonymous callers get no tag: the view refuses them."""
    if not request.user.is_authenticated:
        return None
    return _live_rows(request, team)["version"]


@require_safe
@login_required
def job_list(request, team):
    """A team's jobs: rendered once per team version, role and query (``dashboard.pagecache``)."""
    access = get_team_for_user(request.user, team)

    def build() -> str:
        filters = selectors.JobFilters.from_query(request.GET)
        context = _base(access)
        table = _team_table(request, access, filters, _page_number(request))
        context.update(
            job_table=table["html"],
            page_number=table["page_number"],
            table_version=table["version"],
            **_summary_context(selectors.job_status_summary(access.team, filters), filters),
            filters=filters,
            query=urlencode(filters.as_query()),
            filters_html=_filters_html(
                filters, selectors.job_filter_choices(access.team, context["credentials"])
            ),
            rows_url=reverse("job_list_rows", kwargs={"team": access.team.slug}),
            freshness_in_rows=True,
            live_interval=_live_interval(),
            batch_form=BatchForm(),
            **pagecache.slot_context("freshness_html", "freshness_version"),
        )
        return render_to_string("jobs/job_list.html", context, request=request)

    return pagecache.serve(request, pagecache.page_key(request, access), build, _freshness_slots(access.team))


@require_safe
@login_required
@condition(etag_func=_live_rows_etag)
def job_list_rows(request, team):
    """The job table alone, for the live refresh: 304 when neither the table nor the freshness changed."""
    rows = _live_rows(request, team)
    return _rows_response(request, rows["version"], rows["html"])


def _all_jobs_table(request, teams, filters, page_number: int) -> dict[str, Any]:
    """The jobs of several teams, cached under the teams' versions."""
    versions = sorted(teams.values_list("pk", "version"))
    return _job_table(request, teams, filters, page_number, key=f"all:{digest(versions)}")


def _plain_filters(request) -> selectors.JobFilters:
    """Filters for jobs across teams: credentials and clusters belong to one team, so they are dropped."""
    filters = selectors.JobFilters.from_query(request.GET)
    if filters.credential is not None or filters.cluster is not None:
        filters = selectors.JobFilters(
            status=filters.status,
            job_type=filters.job_type,
            run_mode=filters.run_mode,
            q=filters.q,
            sort=filters.sort,
        )
    return filters


@require_safe
@login_required
def jobs_all(request):
    """Jobs across every team of the user."""
    teams = Team.objects.for_user(request.user)
    filters = _plain_filters(request)
    table = _all_jobs_table(request, teams, filters, _page_number(request))
    context = {
        "job_table": table["html"],
        "page_number": table["page_number"],
        "table_version": table["version"],
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "teams": list(teams.only("slug", "name")),
        **_summary_context(selectors.job_status_summary(teams, filters), filters),
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


@require_POST
@login_required
def job_batch(request, team):
    """Batch run / stop / delete: a confirmation naming the jobs, then one CS call per credential."""
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    form = BatchForm(request.POST)
    jobs = selectors.jobs_by_keys(access.team, request.POST.getlist("jobs"))
    back = reverse("job_list", kwargs={"team": access.team.slug})
    if not form.is_valid():
        messages.error(request, "Choose run, stop or delete.")
        return redirect(back)
    if not jobs:
        messages.error(request, "Select at least one job first.")
        return redirect(back)
    action, savepoint = form.cleaned_data["action"], form.cleaned_data["savepoint"]
    if not form.cleaned_data["confirmed"]:
        return render(
            request,
            "jobs/batch_confirm.html",
            _base(
                access,
                jobs=jobs,
                action=action,
                savepoint=savepoint,
                action_label=dict(BatchForm.ACTIONS)[action],
            ),
        )
    if action == "run":
        failures = services.jobs_run_batch(
            access=access, user=request.user, jobs=jobs, resume_savepoint=savepoint
        )
    elif action == "stop":
        failures = services.jobs_stop_batch(
            access=access, user=request.user, jobs=jobs, trigger_savepoint=savepoint
        )
    else:
        failures = services.jobs_delete_batch(access=access, user=request.user, jobs=jobs)
    failed = {j.pk for group, _e in failures for j in group}
    done = [j.name for j in jobs if j.pk not in failed]
    verb = {"run": "Started", "stop": "Stopping", "delete": "Deleted"}[action]
    if done:
        messages.success(request, f"{verb}: {', '.join(done)}.")
    for group, error in failures:
        messages.error(request, f"{', '.join(j.name for j in group)}: {error}")
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
    """The job's charts, rendered once per new metric sample (pygal rendering is the costly part)."""

    def build() -> tuple[dict[str, str], int]:
        samples = selectors.job_metric_samples(job)
        return charts.job_charts(samples), len(samples)

    return cached(f"jobs:charts:{job.pk}:{job.metrics_at.timestamp() if job.metrics_at else 0}", build)


def _job_signature(job: Job) -> str:
    """A digest of every stored column of the job (status, names, figures, configuration, last write...)."""
    return digest(tuple(getattr(job, f.attname) for f in Job._meta.concrete_fields))


def _details_signature(job: Job) -> str:
    details = _details(job)
    return digest(None if details is None else (details.pk, details.fetched_at, details.error))


def _row_values(row) -> tuple:
    return tuple(getattr(row, f.attname) for f in row._meta.concrete_fields)


def _logs_html(job: Job) -> str:
    """The CS audit log and the dashboard's action log of the job, rendered once per content of both."""
    audit = selectors.job_audit_traces(job)
    actions = selectors.job_action_log(job)
    shown = (
        [_row_values(t) for t in audit],
        [(_row_values(a), a.user.username if a.user is not None else None) for a in actions],
    )
    return fragment(
        f"jobs:detail:logs:{job.pk}:{digest(shown)}",
        lambda: render_to_string("jobs/_job_logs.html", {"audit": audit, "actions": actions}),
    )


def _detail_fragments(job: Job, signature: str) -> dict[str, str]:
    """The heavy parts of the detail page, each rendered once per state of what it shows.

    The job and configuration tables depend on the job's columns and on its running duration as shown;
    the status history changes only with a status change, which rewrites the job (``last_seen`` and
    ``status`` are in the signature); the execution plan on the job and its fetched details.
    """
    duration = duration_ms(job.current_duration_ms)

    def fields() -> str:
        config = job.job_config if isinstance(job.job_config, dict) else {}
        return render_to_string(
            "jobs/_job_fields.html",
            {
                "job": job,
                "config_items": sorted(config.items()),
                "raw_items": sorted(
                    (k, v) for k, v in (job.raw or {}).items() if k not in ("job_config", "sql_body")
                ),
            },
        )

    def history() -> str:
        return render_to_string("jobs/_job_history.html", {"history": selectors.job_status_history(job)})

    def plan() -> str:
        return graph.render_svg(_plan_source(job)) or ""

    return {
        "fields_html": fragment(f"jobs:detail:fields:{job.pk}:{signature}:{digest(duration)}", fields),
        "history_html": fragment(f"jobs:detail:history:{job.pk}:{signature}", history),
        "plan_svg": fragment(f"jobs:detail:plan:{job.pk}:{signature}:{_details_signature(job)}", plan),
    }


@require_safe
@login_required
def job_detail(request, team, credential, job_id):
    """One job: rendered once per team version, role and minute (``dashboard.pagecache``)."""
    access = get_team_for_user(request.user, team)

    def build() -> str:
        job = selectors.job_get(access.team, credential, job_id)
        chart_svgs, sample_count = _cached_charts(job)
        is_sql = job.job_type in vocab.SQL_JOB_TYPES or (not job.job_type and bool(job.sql_body))
        # The plan and APIG sinks come from CS only on request: fetched in the background, never here;
        # the fetch changes the team's version, so the page renders again with them.
        details_pending = is_sql and services.job_details_due(job)
        if details_pending:
            services.job_details_request(job)
        context = _base(
            access,
            job=job,
            job_key=selectors.job_key(job),
            **_detail_fragments(job, _job_signature(job)),
            charts=chart_svgs,
            sample_count=sample_count,
            apig_sinks=_apig_sinks(job),
            logs_html=_logs_html(job),
            run_form=RunForm(),
            stop_form=StopForm(),
            is_sql=is_sql,
            details_pending=details_pending,
            details_error=getattr(_details(job), "error", ""),
            **pagecache.slot_context("freshness_html"),
        )
        return render_to_string("jobs/job_detail.html", context, request=request)

    return pagecache.serve(request, pagecache.page_key(request, access), build, _freshness_slots(access.team))


def _after_action(request, access, job, exc: CSError | None, ok: str):
    if exc is not None:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, ok)
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


@require_POST
@login_required
def job_run(request, team, credential, job_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    job = selectors.job_get(access.team, credential, job_id)
    form = RunForm(request.POST)
    resume = form.is_valid() and form.cleaned_data["resume_savepoint"]
    try:
        services.job_run(access=access, user=request.user, job=job, resume_savepoint=resume)
    except CSError as exc:
        return _after_action(request, access, job, exc, "")
    return _after_action(request, access, job, None, f"{job.name} is being submitted.")


@require_POST
@login_required
def job_stop(request, team, credential, job_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    job = selectors.job_get(access.team, credential, job_id)
    form = StopForm(request.POST)
    savepoint = form.is_valid() and form.cleaned_data["trigger_savepoint"]
    try:
        services.job_stop(access=access, user=request.user, job=job, trigger_savepoint=savepoint)
    except CSError as exc:
        return _after_action(request, access, job, exc, "")
    return _after_action(request, access, job, None, f"{job.name} is stopping.")


@require_POST
@login_required
def job_delete(request, team, credential, job_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    job = selectors.job_get(access.team, credential, job_id)
    try:
        services.job_delete(access=access, user=request.user, job=job)
    except CSError as exc:
        return _after_action(request, access, job, exc, "")
    messages.success(request, f"{job.name} deleted.")
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


def _sql_form_context(access, form, *, job=None, cs_error=None, obs_offer="", versions=None, diff=None):
    return _base(
        access,
        form=form,
        job=job,
        cs_error=cs_error,
        obs_offer=obs_offer,
        versions=versions or [],
        diff=diff,
        template_base=reverse("template_list", kwargs={"team": access.team.slug}),
    )


@require_http_methods(["GET", "POST"])
@login_required
def sql_job_create(request, team):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    kwargs = {
        "credentials": Credential.objects.filter(team=access.team),
        "clusters": selectors.team_clusters(access.team),
        "templates": selectors.template_list(access.team),
    }
    if request.method == "GET":
        initial = {**_clone_initial(access, request, SqlJobForm), **_template_initial(access, request)}
        form = SqlJobForm(initial=initial, **kwargs)
        return render(request, "jobs/sql_job_form.html", _sql_form_context(access, form))
    form = SqlJobForm(request.POST, **kwargs)
    if not form.is_valid():
        return render(request, "jobs/sql_job_form.html", _sql_form_context(access, form), status=400)
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
    except CSError as exc:
        return _sql_failed(request, access, form, exc)
    messages.success(request, f"Job {job.name} saved{' and submitted' if run else ''}.")
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


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


@require_http_methods(["GET", "POST"])
@login_required
def job_edit(request, team, credential, job_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    job = selectors.job_get(access.team, credential, job_id)
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
            messages.info(request, "A saved version is loaded into the editor: save to make it current.")
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
    except CSError as exc:
        return _sql_failed(request, access, form, exc, job=job, versions=versions, diff=diff)
    messages.success(request, f"Job {job.name} saved{' and submitted' if run else ''}.")
    return redirect(
        "job_detail", team=access.team.slug, credential=job.credential.public_id, job_id=job.job_id
    )


# ------------------------------------------------------------------------------------------ JAR forms


def _wants_json(request) -> bool:
    return request.headers.get(
        "X-Requested-With"
    ) == "XMLHttpRequest" or "application/json" in request.headers.get("Accept", "")


def _jar_render(request, access, form, *, job=None, cs_error=None, obs_offer="", status=200):
    context = _base(access, form=form, job=job, cs_error=cs_error, obs_offer=obs_offer)
    if request.method == "POST" and _wants_json(request):
        html = render_to_string("jobs/_jar_form_body.html", context, request=request)
        errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
        if cs_error:
            errors.setdefault("__all__", []).append(cs_error["description"])
        return JsonResponse({"ok": False, "errors": errors, "form_html": html}, status=status)
    return render(request, "jobs/jar_job_form.html", context, status=status)


def _jar_form_view(request, access, *, job: Job | None = None):
    kwargs = {
        "credentials": [job.credential] if job else Credential.objects.filter(team=access.team),
        "clusters": selectors.team_clusters(access.team, job.credential if job else None),
        "job": job,
    }
    if request.method == "GET":
        initial = JarJobForm.initial_from_job(job) if job else _clone_initial(access, request, JarJobForm)
        return _jar_render(request, access, JarJobForm(initial=initial, **kwargs), job=job)
    form = JarJobForm(request.POST, request.FILES, **kwargs)
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
            services.job_update_jar(access=access, user=request.user, job=job, data=form.payload, **files)
            if run:
                services.job_run(access=access, user=request.user, job=job)
    except CSError as exc:
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
    messages.success(request, f"Job {job.name} saved{' and submitted' if run else ''}.")
    url = reverse(
        "job_detail",
        kwargs={"team": access.team.slug, "credential": job.credential.public_id, "job_id": job.job_id},
    )
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


@require_http_methods(["GET", "POST"])
@login_required
def jar_job_create(request, team):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    return _jar_form_view(request, access)


@require_safe
@login_required
def job_clone(request, team, credential, job_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    job = selectors.job_get(access.team, credential, job_id)
    name = "jar_job_create" if job.job_type in vocab.JAR_JOB_TYPES else "sql_job_create"
    url = reverse(name, kwargs={"team": access.team.slug})
    return redirect(f"{url}?{urlencode({'clone': selectors.job_key(job)})}")


# ------------------------------------------------------------------------------------------ templates


@require_safe
@login_required
def template_list(request, team):
    access = get_team_for_user(request.user, team)
    templates = list(selectors.template_list(access.team))
    context = _base(access, ("templates",), templates=templates, max_templates=limits.TEMPLATES_MAX)
    return render(request, "jobs/template_list.html", context)


def _template_counts(team: Team) -> dict[int, int]:
    return selectors.template_counts(team)


@require_http_methods(["GET", "POST"])
@login_required
def template_create(request, team):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    kwargs = {
        "credentials": Credential.objects.filter(team=access.team),
        "counts": _template_counts(access.team),
    }
    form = TemplateForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_create(
                access=access, user=request.user, credential=form.chosen_credential, data=form.payload
            )
        except CSError as exc:
            return _template_failed(request, access, form, exc)
        messages.success(request, f"Template {form.payload['name']} created.")
        return redirect("template_list", team=access.team.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "jobs/template_form.html", _base(access, form=form), status=status)


def _template_failed(request, access, form, exc, template=None):
    placed = form.add_cs_error(exc, ERROR_FIELDS)
    return render(
        request,
        "jobs/template_form.html",
        _base(access, form=form, template=template, cs_error=None if placed else error_context(exc)),
        status=400,
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request, team, credential, template_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    template = selectors.template_get(access.team, credential, template_id)
    initial = {"name": template.name, "desc": template.desc, "sql_body": template.sql_body}
    form = TemplateForm(
        request.POST or None, initial=initial, credentials=[template.credential], template=template
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(access=access, user=request.user, template=template, data=form.payload)
        except CSError as exc:
            return _template_failed(request, access, form, exc, template)
        messages.success(request, f"Template {template.name} saved.")
        return redirect("template_list", team=access.team.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "jobs/template_form.html", _base(access, form=form, template=template), status=status
    )


@require_POST
@login_required
def template_delete(request, team, credential, template_id):
    access = get_team_for_user(request.user, team, Role.OPERATOR)
    template = selectors.template_get(access.team, credential, template_id)
    try:
        services.template_delete(access=access, user=request.user, template=template)
    except CSError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Template {template.name} deleted.")
    return redirect("template_list", team=access.team.slug)


@require_safe
@login_required
def template_sql(request, team, credential, template_id):
    """A template's SQL as JSON, for the template picker of the SQL job form."""
    access = get_team_for_user(request.user, team)
    template: Template = selectors.template_get(access.team, credential, template_id)
    return JsonResponse({"name": template.name, "sql_body": template.sql_body})
