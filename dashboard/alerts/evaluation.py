"""Rule evaluation: after a sync's writes, turn what the snapshots say into incidents and messages.

Rules read what the sync just wrote and never call the cloud. A failed sync opens and clears no job
incident (only the cloud's own answers do); the poll health rule alone looks at failures. The cost
is a constant number of SQL statements per evaluation whatever the number of jobs: the team's rules
(locked, so two evaluations of one team never announce the same incident twice), the status changes
since the last evaluated sync, the open incidents, and one bulk write of each kind.

The life of an incident:

- it opens when a rule fires for a subject that has no open incident (one per rule and subject);
- its opening is told unless something mutes it (the rule's or the job's silence, a maintenance
  window), and unless the rule told something about the same subject less than the repeat interval
  ago (the flap guard: a job failing again and again gives one message per interval, not one per
  failure); a muted or guarded opening is told at the first evaluation after the mute or guard ends;
- while it stays unacknowledged and firing, a reminder goes out every repeat interval;
- when the condition clears it waits ``ALERT_RESOLVE_AFTER`` seconds (firing again in that time
  keeps the same incident), then resolves, with a "resolved" message if its opening was told.

Everything one rule has to say after one evaluation is one message per channel (grouped).
"""

from __future__ import annotations

import fnmatch
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from csapi import vocab
from dashboard.alerts import sources
from dashboard.alerts.models import (
    AlertMark,
    Incident,
    IncidentState,
    JobWatch,
    MaintenanceWindow,
    Notification,
    Rule,
    RuleKind,
    Silence,
)
from dashboard.jobs.models import Job, JobStatusChange, MetricSample
from dashboard.polling.models import Kind, PollHealth
from dashboard.teams.models import ActionLog, Credential, Team

logger = logging.getLogger(__name__)

#: The failure states of "a job enters a failure state".
FAILURE_STATUSES = frozenset(
    {vocab.JOB_SUBMIT_FAIL, vocab.JOB_RUNNING_EXCEPTION, vocab.JOB_CANCEL_FAIL, vocab.JOB_ARREARAGE_STOPPED}
)
#: While a job is in one of these, its incident neither clears nor fires (the outcome is not known yet).
IN_PROGRESS_STATUSES = frozenset(
    {
        vocab.JOB_SUBMITTING,
        vocab.JOB_CANCELING,
        vocab.JOB_SAVEPOINTING,
        vocab.JOB_DOWNLOADING,
        vocab.JOB_ARREARAGE_RECOVERING,
    }
)
STOPPED_STATUS = vocab.JOB_CANCEL_SUCCESS
#: The dashboard's own stop actions (``dashboard.jobs.services``): a stop with one of these is not "unexpected".
DASHBOARD_STOP_ACTIONS = ("job.stop", "job.stop_batch")


def now() -> datetime:
    """The evaluation's clock (one place, so tests can move it)."""
    return timezone.now()


@dataclass
class Finding:
    """A rule fires for a subject: what to say about it."""

    subject: str
    name: str
    summary: str
    job_id: int | None = None  # Job pk
    status: str = ""
    status_desc: str = ""
    url: str = ""


@dataclass
class RuleRun:
    """One rule's verdict in one evaluation: the subjects it fires for, and those it looked at."""

    rule: Rule
    firing: dict[str, Finding] = field(default_factory=dict)
    #: Subjects the rule looked at and found healthy; their open incidents clear.
    healthy: set[str] = field(default_factory=set)
    #: Subjects whose state is unknown this time (a job in progress): left as they are.
    undecided: set[str] = field(default_factory=set)
    #: Open incidents of these subject prefixes not fired nor undecided are healthy (a full look).
    covers: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------------ scope


def _credential_ids(rule: Rule) -> set[int]:
    return {c.pk for c in rule.credentials.all()}


def credential_in_scope(rule: Rule, credential_id: int) -> bool:
    if rule.all_jobs:
        return True
    ids = _credential_ids(rule)
    return not ids or credential_id in ids


def job_in_scope(rule: Rule, *, credential_id: int, name: str, raw: Any) -> bool:
    """All jobs, or those matching every criterion of the selection (credentials, name pattern, tags)."""
    if rule.all_jobs:
        return True
    ids = _credential_ids(rule)
    if ids and credential_id not in ids:
        return False
    if rule.name_pattern and not fnmatch.fnmatchcase(name or "", rule.name_pattern):
        return False
    if rule.tags:
        have = sources.job_tags(raw)
        for wanted in rule.tags:
            key, sep, value = str(wanted).partition("=")
            if key not in have or (sep and have[key] != value):
                return False
    return True


# ------------------------------------------------------------------------------------------ context


@dataclass
class Context:
    team: Team
    credential: Credential
    at: datetime
    rules: list[Rule]

    def job_url(self, job_id: int) -> str:
        path = reverse(
            "job_detail",
            kwargs={"team": self.team.slug, "credential": self.credential.public_id, "job_id": job_id},
        )
        return settings.DASHBOARD_URL.rstrip("/") + path

    def when(self) -> str:
        return timezone.localtime(self.at).strftime("%Y-%m-%d %H:%M:%S %Z")


def _label(status: str) -> str:
    return str(vocab.job_status(status).label) if status else _("unknown")


def _change_summary(previous: str, status: str) -> str:
    if previous:
        return _("%(previous)s → %(status)s") % {"previous": _label(previous), "status": _label(status)}
    return _label(status)


# ------------------------------------------------------------------------------------------ job rules


def _changes(ctx: Context, since: datetime) -> list[dict]:
    return list(
        JobStatusChange.objects.filter(job__credential=ctx.credential, observed_at__gte=since)
        .order_by("observed_at", "id")
        .values(
            "job_id",
            "previous_status",
            "status",
            "status_desc",
            "observed_at",
            "job__name",
            "job__job_id",
            "job__raw",
            "job__status",
            "job__status_desc",
            "job__deleted_at",
        )
    )


def _dashboard_stops(ctx: Context, since: datetime) -> tuple[set[str], set[str]]:
    """Job keys and names the dashboard stopped since ``since`` (from its own action log; one query).

    A batch stop keeps at most 128 characters of job keys; its message names the jobs, so names are
    read as a fallback."""
    keys: set[str] = set()
    names: set[str] = set()
    rows = ActionLog.objects.filter(
        credential=ctx.credential,
        action__in=DASHBOARD_STOP_ACTIONS,
        outcome=ActionLog.Outcome.SUCCESS,
        created_at__gte=since,
    ).values_list("target_id", "target_name", "message")
    for target_id, target_name, message in rows:
        keys.update(k for k in target_id.split(",") if k)
        names.update(n.strip() for n in target_name.split(",") if n.strip())
        if ": " in message:
            names.update(n.strip() for n in message.split(": ", 1)[1].split(",") if n.strip())
    return keys, names


def _job_rules(
    ctx: Context, since: datetime, baseline: bool, open_by_rule: dict[int, dict[str, dict]]
) -> list[RuleRun]:
    rules = [
        r for r in ctx.rules if r.kind in (RuleKind.JOB_FAILED, RuleKind.JOB_STOPPED, RuleKind.JOB_RESTARTED)
    ]
    rules = [r for r in rules if credential_in_scope(r, ctx.credential.pk)]
    if not rules:
        return []
    changes = _changes(ctx, since)
    latest: dict[int, dict] = {}
    for change in changes:
        if baseline and not change["previous_status"]:
            continue  # the first listing of a credential describes the past, it is no news
        latest[change["job_id"]] = change  # the newest change of each job decides
    runs = []
    stops = None
    for rule in rules:
        run = RuleRun(rule)
        runs.append(run)
        scoped = {
            pk: c
            for pk, c in latest.items()
            if job_in_scope(rule, credential_id=ctx.credential.pk, name=c["job__name"], raw=c["job__raw"])
        }
        if rule.kind == RuleKind.JOB_FAILED:
            for pk, c in scoped.items():
                if c["status"] in FAILURE_STATUSES and c["job__status"] in FAILURE_STATUSES:
                    run.firing[f"job:{pk}"] = _job_finding(
                        ctx, pk, c, _change_summary(c["previous_status"], c["status"])
                    )
            _clear_jobs(run, open_by_rule.get(rule.pk, {}), lambda status: status in FAILURE_STATUSES)
        elif rule.kind == RuleKind.JOB_STOPPED:
            candidates = {
                pk: c
                for pk, c in scoped.items()
                if c["status"] == STOPPED_STATUS and c["job__status"] == STOPPED_STATUS
            }
            if candidates:
                if stops is None:
                    stops = _dashboard_stops(ctx, since - timedelta(seconds=settings.ALERT_STOP_LOOKBACK))
                keys, names = stops
                for pk, c in candidates.items():
                    key = f"{ctx.credential.public_id}:{c['job__job_id']}"
                    if key in keys or c["job__name"] in names:
                        continue
                    summary = _("Stopped outside the dashboard (%(change)s)") % {
                        "change": _change_summary(c["previous_status"], c["status"])
                    }
                    run.firing[f"job:{pk}"] = _job_finding(ctx, pk, c, summary)
            _clear_jobs(run, open_by_rule.get(rule.pk, {}), lambda status: status == STOPPED_STATUS)
    restart_rules = [r for r in rules if r.kind == RuleKind.JOB_RESTARTED]
    if restart_rules:
        _restart_rules(
            ctx, since, [run for run in runs if run.rule.kind == RuleKind.JOB_RESTARTED], open_by_rule
        )
    return runs


def _job_finding(ctx: Context, pk: int, c: dict, summary: str) -> Finding:
    return Finding(
        subject=f"job:{pk}",
        name=c["job__name"] or str(c["job__job_id"]),
        summary=summary,
        job_id=pk,
        status=c["job__status"],
        status_desc=(c["job__status_desc"] or c["status_desc"] or "")[:500],
        url=ctx.job_url(c["job__job_id"]),
    )


def _clear_jobs(run: RuleRun, open_incidents: dict[str, dict], still_firing) -> None:
    """Open job incidents of the rule: healthy once the job left the state (or is gone), undecided
    while it is in progress."""
    for subject, row in open_incidents.items():
        if subject in run.firing:
            continue
        status = row["job__status"]
        if row["job_id"] is None or row["job__deleted_at"] is not None:
            run.healthy.add(subject)
        elif status in IN_PROGRESS_STATUSES:
            run.undecided.add(subject)
        elif still_firing(status):
            run.undecided.add(subject)  # still failing: stays open, nothing new to say
        else:
            run.healthy.add(subject)


def _restart_rules(ctx: Context, since: datetime, runs: list[RuleRun], open_by_rule) -> None:
    """Jobs written by this sync whose restart count grew (``sources.job_restart_count``)."""
    jobs = list(
        Job.objects.filter(credential=ctx.credential, last_seen__gte=since, deleted_at__isnull=True).values(
            "pk", "job_id", "name", "raw", "status", "status_desc"
        )
    )
    counts = {j["pk"]: sources.job_restart_count(j) for j in jobs}
    counts = {pk: n for pk, n in counts.items() if n is not None}
    seen = dict(JobWatch.objects.filter(job_id__in=list(counts)).values_list("job_id", "restart_count"))
    grown = {pk for pk, n in counts.items() if seen.get(pk) is not None and n > seen[pk]}
    by_pk = {j["pk"]: j for j in jobs}
    for run in runs:
        for pk in grown:
            j = by_pk[pk]
            if not job_in_scope(run.rule, credential_id=ctx.credential.pk, name=j["name"], raw=j["raw"]):
                continue
            c = {
                "job__name": j["name"],
                "job__job_id": j["job_id"],
                "job__status": j["status"],
                "job__status_desc": j["status_desc"],
                "status_desc": "",
            }
            summary = _("Restarted by the cloud: %(before)d → %(after)d restarts") % {
                "before": seen[pk],
                "after": counts[pk],
            }
            run.firing[f"job:{pk}"] = _job_finding(ctx, pk, c, summary)
        for subject in open_by_rule.get(run.rule.pk, {}):
            if subject not in run.firing:
                run.healthy.add(subject)  # no new restart this time: it settles after ALERT_RESOLVE_AFTER
    changed = [pk for pk in counts if seen.get(pk) != counts[pk]]
    if changed:
        JobWatch.objects.bulk_create(
            [JobWatch(job_id=pk, restart_count=counts[pk], updated_at=ctx.at) for pk in changed],
            update_conflicts=True,
            unique_fields=["job"],
            update_fields=["restart_count", "updated_at"],
        )


def _no_records_rules(ctx: Context, open_by_rule) -> list[RuleRun]:
    runs = []
    for rule in ctx.rules:
        if (
            rule.kind != RuleKind.NO_RECORDS
            or not credential_in_scope(rule, ctx.credential.pk)
            or not rule.minutes
        ):
            continue
        run = RuleRun(rule)
        runs.append(run)
        window_start = ctx.at - timedelta(minutes=rule.minutes)
        before = MetricSample.objects.filter(job=OuterRef("pk"), sampled_at__lte=window_start).order_by(
            "-sampled_at"
        )
        rows = (
            Job.objects.filter(
                credential=ctx.credential,
                deleted_at__isnull=True,
                status=vocab.JOB_RUNNING,
                start_time__lte=window_start,
            )
            .annotate(records_before=Subquery(before.values("records_in")[:1]))
            .values("pk", "job_id", "name", "raw", "status", "status_desc", "records_in", "records_before")
        )
        for j in rows:
            if not job_in_scope(rule, credential_id=ctx.credential.pk, name=j["name"], raw=j["raw"]):
                continue
            if (
                j["records_in"] is None
                or j["records_before"] is None
                or j["records_in"] > j["records_before"]
            ):
                continue
            c = {
                "job__name": j["name"],
                "job__job_id": j["job_id"],
                "job__status": j["status"],
                "job__status_desc": j["status_desc"],
                "status_desc": "",
            }
            summary = _("Running, but read no records in %(minutes)d minutes") % {"minutes": rule.minutes}
            run.firing[f"job:{j['pk']}"] = _job_finding(ctx, j["pk"], c, summary)
        run.healthy.update(s for s in open_by_rule.get(rule.pk, {}) if s not in run.firing)
    return runs


# ------------------------------------------------------------------------------------------ credential rules


def _quota_rules(ctx: Context, open_by_rule) -> list[RuleRun]:
    rules = [
        r
        for r in ctx.rules
        if r.kind == RuleKind.QUOTA and r.percent and credential_in_scope(r, ctx.credential.pk)
    ]
    if not rules:
        return []
    usage = sources.quota_usage(ctx.credential)
    runs = []
    for rule in rules:
        run = RuleRun(rule)
        runs.append(run)
        for use in usage:
            if use.percent >= rule.percent:
                run.firing[use.subject] = Finding(
                    subject=use.subject,
                    name=f"{ctx.credential.name} · {use.name}",
                    summary=_("%(used)g of %(total)g %(unit)s in use (%(percent).0f %%, limit %(limit)g %%)")
                    % {
                        "used": use.used,
                        "total": use.total,
                        "unit": use.unit,
                        "percent": use.percent,
                        "limit": rule.percent,
                    },
                )
        run.healthy.update(s for s in open_by_rule.get(rule.pk, {}) if s not in run.firing)
    return runs


def _cost_rules(ctx: Context, open_by_rule) -> list[RuleRun]:
    rules = [
        r
        for r in ctx.rules
        if r.kind == RuleKind.DAILY_COST
        and r.budget is not None
        and credential_in_scope(r, ctx.credential.pk)
    ]
    if not rules:
        return []
    estimate = sources.daily_cost(ctx.credential, ctx.at)
    runs = []
    subject = f"credential:{ctx.credential.pk}"
    for rule in rules:
        run = RuleRun(rule)
        runs.append(run)
        if estimate is not None and estimate.estimate > rule.budget:
            run.firing[subject] = Finding(
                subject=subject,
                name=ctx.credential.name,
                summary=_(
                    "Estimated cost of today %(estimate).2f %(unit)s (spent %(spent).2f) is above the budget of %(budget).2f"
                )
                % {
                    "estimate": estimate.estimate,
                    "unit": estimate.unit,
                    "spent": estimate.so_far,
                    "budget": rule.budget,
                },
            )
        elif estimate is not None:
            run.healthy.update(open_by_rule.get(rule.pk, {}))
    return runs


def _poll_rules(ctx: Context, open_by_rule) -> list[RuleRun]:
    rules = [
        r
        for r in ctx.rules
        if r.kind == RuleKind.POLL_FAILING and r.minutes and credential_in_scope(r, ctx.credential.pk)
    ]
    if not rules:
        return []
    rows = list(
        PollHealth.objects.filter(credential=ctx.credential).values(
            "kind", "last_success", "last_error", "last_error_at", "consecutive_failures"
        )
    )
    failing = [r for r in rows if r["consecutive_failures"] > 0]
    subject = f"credential:{ctx.credential.pk}"
    runs = []
    for rule in rules:
        run = RuleRun(rule)
        runs.append(run)
        limit = ctx.at - timedelta(minutes=rule.minutes)
        since = min(((r["last_success"] or ctx.credential.created_at) for r in failing), default=None)
        if ctx.credential.needs_attention:
            summary = _("The cloud rejected the credential; polling is paused until a lead fixes it")
        elif since is not None and since <= limit:
            summary = _("No successful poll for %(minutes)d minutes") % {
                "minutes": int((ctx.at - since).total_seconds() // 60)
            }
        else:
            summary = ""
        if summary:
            error = next(
                (
                    r["last_error"]
                    for r in sorted(failing, key=lambda r: r["last_error_at"] or ctx.at, reverse=True)
                ),
                "",
            )
            run.firing[subject] = Finding(
                subject=subject,
                name=ctx.credential.name,
                summary=summary,
                status_desc=(error or ctx.credential.last_error)[:500],
            )
        elif not failing:
            run.healthy.add(subject)
        else:
            run.undecided.add(subject)
    return runs


# ------------------------------------------------------------------------------------------ incidents


@dataclass
class Mutes:
    rule_until: dict[int, datetime]
    job_silences: set[tuple[int | None, int]]  # (rule pk or None, job pk)
    maintenance_all: bool
    maintenance_credentials: set[int]

    def muted(self, incident: Incident) -> bool:
        if incident.rule_id in self.rule_until:
            return True
        if self.maintenance_all or (incident.credential_id in self.maintenance_credentials):
            return True
        if incident.job_id is not None and (
            (None, incident.job_id) in self.job_silences
            or (incident.rule_id, incident.job_id) in self.job_silences
        ):
            return True
        return False


def load_mutes(team: Team, rules: Iterable[Rule], at: datetime) -> Mutes:
    rule_until = {r.pk: r.silenced_until for r in rules if r.silenced_at(at)}
    job_silences: set[tuple[int | None, int]] = set()
    for rule_id, job_id in Silence.objects.filter(team=team, until__gt=at).values_list("rule_id", "job_id"):
        if job_id is None and rule_id is not None:
            rule_until[rule_id] = at
        elif job_id is not None:
            job_silences.add((rule_id, job_id))
    windows = list(
        MaintenanceWindow.objects.filter(team=team, starts_at__lte=at, ends_at__gt=at).values_list(
            "credential_id", flat=True
        )
    )
    return Mutes(
        rule_until, job_silences, any(c is None for c in windows), {c for c in windows if c is not None}
    )


@dataclass
class Outcome:
    """What one evaluation wrote: notification ids to enqueue, and whether anything changed."""

    notifications: list[int] = field(default_factory=list)
    changed: bool = False


def _gap(rule: Rule) -> timedelta:
    return (
        timedelta(minutes=rule.repeat_minutes)
        if rule.repeat_minutes
        else timedelta(seconds=settings.ALERT_FLAP_GUARD)
    )


def _event(ctx: Context, incident: Incident, finding: Finding | None, at_text: str) -> dict:
    url = getattr(incident, "_url", "") or (finding.url if finding else "")
    if not url and incident.job_id is not None and incident.credential_id == ctx.credential.pk:
        url = ctx.job_url(incident.job.job_id)
    return {
        "incident": str(incident.public_id),
        "subject": incident.subject_name,
        "summary": finding.summary if finding else incident.summary,
        "status": incident.status,
        "status_label": _label(incident.status) if incident.status else "",
        "status_desc": incident.status_desc,
        "url": url,
        "at": at_text,
    }


def apply(
    ctx: Context, runs: list[RuleRun], open_rows: dict[int, dict[str, dict]], extra_due: Iterable[int] = ()
) -> Outcome:
    """Open, refresh, clear and resolve incidents for ``runs``; write the grouped notifications."""
    at = ctx.at
    outcome = Outcome()
    rules = {r.pk: r for r in ctx.rules}
    open_pks = [row["pk"] for rows in open_rows.values() for row in rows.values()]
    incidents = (
        {i.pk: i for i in Incident.objects.filter(pk__in=open_pks).select_related("job")} if open_pks else {}
    )
    by_subject = {(i.rule_id, i.subject): i for i in incidents.values()}
    new: list[Incident] = []
    touched: set[int] = set()
    findings: dict[tuple[int, str], Finding] = {}
    for run in runs:
        for subject, finding in run.firing.items():
            findings[(run.rule.pk, subject)] = finding
            incident = by_subject.get((run.rule.pk, subject))
            if incident is None:
                new.append(
                    Incident(
                        team=ctx.team,
                        rule=run.rule,
                        subject=subject,
                        subject_name=finding.name[:255],
                        job_id=finding.job_id,
                        credential=ctx.credential,
                        summary=finding.summary,
                        status=finding.status,
                        status_desc=finding.status_desc,
                        opened_at=at,
                    )
                )
            elif incident.clear_since is not None or finding.summary != incident.summary:
                incident.clear_since = None
                incident.fired_count += 1
                incident.summary, incident.status, incident.status_desc = (
                    finding.summary,
                    finding.status,
                    finding.status_desc,
                )
                touched.add(incident.pk)
            incident_url = finding.url
            if incident is not None:
                incident._url = incident_url
        for subject in run.healthy:
            incident = by_subject.get((run.rule.pk, subject))
            if incident is not None and incident.clear_since is None:
                incident.clear_since = at
                touched.add(incident.pk)
    if new:
        # The flap guard: a subject the rule told about less than its interval ago starts muted.
        last_told = (
            Incident.objects.filter(
                rule_id__in={i.rule_id for i in new},
                subject__in={i.subject for i in new},
                resolved_at__isnull=False,
                last_notified_at__isnull=False,
            )
            .values("rule_id", "subject")
            .annotate(last=Max("last_notified_at"))
            .values_list("rule_id", "subject", "last")
        )
        previous = {(rule_id, subject): last for rule_id, subject, last in last_told}
        for incident in new:
            incident.last_notified_at = previous.get((incident.rule_id, incident.subject))
            finding = findings[(incident.rule_id, incident.subject)]
            incident._url = finding.url
        Incident.objects.bulk_create(new, batch_size=1000)
        for incident in new:
            incidents[incident.pk] = incident
        outcome.changed = True
    if extra_due:
        for incident in Incident.objects.filter(
            pk__in=[pk for pk in extra_due if pk not in incidents]
        ).select_related("job"):
            incidents[incident.pk] = incident

    mutes = load_mutes(ctx.team, ctx.rules, at)
    resolve_after = timedelta(seconds=settings.ALERT_RESOLVE_AFTER)
    events: dict[int, dict[str, list[tuple[Incident, dict]]]] = defaultdict(lambda: defaultdict(list))
    at_text = ctx.when()
    for incident in incidents.values():
        rule = rules.get(incident.rule_id)
        if rule is None:
            continue
        finding = findings.get((incident.rule_id, incident.subject))
        muted = mutes.muted(incident)
        if incident.clear_since is not None and incident.clear_since <= at - resolve_after:
            incident.resolved_at = at
            incident.state = IncidentState.RESOLVED
            touched.add(incident.pk)
            if incident.announced and not muted:
                incident.last_notified_at = at
                event = _event(ctx, incident, None, at_text)
                event["summary"] = _("Resolved: %(summary)s") % {"summary": incident.summary}
                events[rule.pk]["resolved"].append((incident, event))
            continue
        if incident.clear_since is not None or muted:
            continue
        quiet_since = incident.last_notified_at
        if not incident.announced:
            if quiet_since is None or quiet_since <= at - _gap(rule):
                incident.announced = True
                incident.last_notified_at = at
                touched.add(incident.pk)
                events[rule.pk]["opened"].append((incident, _event(ctx, incident, finding, at_text)))
        elif (
            incident.state == IncidentState.OPEN
            and rule.repeat_minutes
            and quiet_since is not None
            and quiet_since <= at - timedelta(minutes=rule.repeat_minutes)
        ):
            incident.last_notified_at = at
            touched.add(incident.pk)
            events[rule.pk]["reminders"].append((incident, _event(ctx, incident, finding, at_text)))
    changed_rows = [incidents[pk] for pk in touched if pk in incidents and pk not in {i.pk for i in new}]
    if changed_rows:
        Incident.objects.bulk_update(
            changed_rows,
            [
                "clear_since",
                "fired_count",
                "summary",
                "status",
                "status_desc",
                "resolved_at",
                "state",
                "announced",
                "last_notified_at",
            ],
            batch_size=1000,
        )
        outcome.changed = True
    announced_new = [i for i in new if i.announced]
    if announced_new:
        Incident.objects.filter(pk__in=[i.pk for i in announced_new]).update(
            announced=True, last_notified_at=at
        )
    if events:
        outcome.notifications = _write_notifications(ctx, rules, events)
    return outcome


def _write_notifications(ctx: Context, rules: dict[int, Rule], events) -> list[int]:
    from dashboard.alerts.messages import MAX_NAMED

    evaluation = uuid.uuid4().hex[:12]
    rows: list[Notification] = []
    links: list[tuple[Notification, list[Incident]]] = []
    base = settings.DASHBOARD_URL.rstrip("/")
    incidents_url = base + reverse("alert_incidents", kwargs={"team": ctx.team.slug})
    for rule_pk, sections in events.items():
        rule = rules[rule_pk]
        channels = [c for c in rule.channels.all() if c.enabled]
        if not channels:
            continue
        payload = {
            "team": {"slug": ctx.team.slug, "name": ctx.team.name},
            "rule": {
                "id": str(rule.public_id),
                "name": rule.name,
                "kind": rule.kind,
                "severity": rule.severity,
                "severity_label": str(rule.get_severity_display()),
            },
            "generated_at": ctx.when(),
            "counts": {section: len(items) for section, items in sections.items()},
            "incidents_url": incidents_url,
        }
        named = 0
        for section in ("opened", "reminders", "resolved"):
            items = sections.get(section, [])
            room = max(0, MAX_NAMED - named)
            payload[section] = [event for _incident, event in items[:room]]
            named += len(payload[section])
        involved = [incident for items in sections.values() for incident, _event in items]
        for channel in channels:
            row = Notification(
                key=f"a-{rule.public_id.hex[:12]}-{channel.public_id.hex[:12]}-{evaluation}",
                team=ctx.team,
                rule=rule,
                channel=channel,
                payload=payload,
                # The delivery's clock is the wall clock (the evaluation's may be moved by tests).
                next_attempt_at=timezone.now(),
            )
            rows.append(row)
            links.append((row, involved))
    if not rows:
        return []
    Notification.objects.bulk_create(rows, batch_size=500)
    through = Notification.incidents.through
    through.objects.bulk_create(
        [through(notification_id=row.pk, incident_id=i.pk) for row, involved in links for i in involved],
        batch_size=2000,
    )
    return [row.pk for row in rows]


def _open_rows(team: Team, rules: list[Rule], credential: Credential) -> dict[int, dict[str, dict]]:
    """The unresolved incidents of the team's rules about this credential, with their jobs' status."""
    rows = (
        Incident.objects.unresolved()
        .filter(rule__in=rules, credential=credential)
        .values("pk", "rule_id", "subject", "job_id", "job__status", "job__deleted_at")
    )
    out: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in rows:
        out[row["rule_id"]][row["subject"]] = row
    return out


def evaluate(*, credential_id: int, kind: str, ok: bool, started_at: datetime) -> Outcome:
    """Evaluate the team's rules after a sync of ``kind`` for a credential (see the module doc)."""
    credential = Credential.objects.select_related("team").filter(pk=credential_id).first()
    if credential is None:
        return Outcome()
    team = credential.team
    with transaction.atomic():
        rules = list(
            Rule.objects.select_for_update(of=("self",))
            .filter(team=team, enabled=True)
            .prefetch_related("credentials", "channels")
            .order_by("pk")
        )
        if not rules:
            return Outcome()
        ctx = Context(team=team, credential=credential, at=now(), rules=rules)
        open_rows = _open_rows(team, rules, credential)
        runs: list[RuleRun] = []
        if ok and kind == Kind.JOBS:
            mark = (
                AlertMark.objects.filter(credential=credential, kind=kind)
                .values_list("through", flat=True)
                .first()
            )
            since = min(mark, started_at) if mark else started_at
            baseline = not Job.objects.filter(credential=credential, first_seen__lt=since).exists()
            runs += _job_rules(ctx, since, baseline, open_rows)
            AlertMark.objects.update_or_create(credential=credential, kind=kind, defaults={"through": ctx.at})
        elif ok and kind == Kind.METRICS:
            runs += _no_records_rules(ctx, open_rows)
        elif ok and kind == Kind.QUOTAS:
            runs += _quota_rules(ctx, open_rows)
        elif ok and kind == Kind.OVERVIEW:
            runs += _cost_rules(ctx, open_rows)
        runs += _poll_rules(ctx, open_rows)
        due = [row["pk"] for rows in open_rows.values() for row in rows.values()]
        outcome = apply(ctx, runs, open_rows, due)
        if outcome.notifications:
            ids = list(outcome.notifications)
            transaction.on_commit(lambda: enqueue(ids))
    return outcome


def enqueue(notification_ids: list[int]) -> None:
    """Hand the notifications to the delivery task (after commit). A broker that is down loses
    nothing: the rows are due, and the periodic sweep enqueues them again."""
    from dashboard.alerts.tasks import deliver_notification

    for pk in notification_ids:
        try:
            deliver_notification.delay(pk)
        except Exception:  # noqa: BLE001 - the sweep catches up
            logger.warning("could not enqueue alert notification %s; the sweep will", pk)
