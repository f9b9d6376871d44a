"""What a job row shows, worked out in Python once per row, so that the table template only places text.

Django's template engine resolves every ``{{ job.x|filter }}`` through several lookups and a filter
call; a 25-row table of 14 columns spent most of its time there. Here each row becomes a plain dict
of ready strings (labels from the vocabulary, times in the active time zone with the zone named, durations and rates
formatted), and ``jobs/_job_table.html`` places them, escaping them as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from csapi import vocab
from dashboard import timefmt
from dashboard.htmltext import esc as _e
from dashboard.jobs.templatetags.jobs_tags import duration_ms, rate

EMPTY = timefmt.EMPTY


def local_parts(value: datetime | None) -> tuple[str, str, str]:
    """(ISO 8601 with offset, "YYYY-MM-DD HH:MM ZONE", "YYYY-MM-DD HH:MM:SS ZONE") of ``value`` in the
    active time zone, the zone named (``CST``, ``UTC+8``): the site's one format (``dashboard.timefmt``)."""
    return timefmt.local_parts(value)


def polled_minutes(health: Iterable[Any], kind: str = "jobs") -> dict[int, datetime]:
    """Per credential, its last successful sync of ``kind`` to the minute (what the lists show as
    "Updated"; to the minute, so a cached table changes at most once a minute)."""
    return {
        h.credential_id: h.last_success.replace(second=0, microsecond=0)
        for h in health
        if h.kind == kind and h.last_success is not None
    }


_BADGES: dict[tuple[str, str, str], str] = {}


def status_badge_html(status: str, desc: str = "") -> str:
    """The status badge (the same markup as the ``status_badge`` tag), built once per (status, text,
    language): its label is in the person's language."""
    key = (status, desc, get_language() or "")
    found = _BADGES.get(key)
    if found is None:
        info = vocab.job_status(status)
        css = info.group if info.group in vocab.JOB_STATUS_GROUPS else vocab.GROUP_IDLE
        found = format_html(
            '<span class="badge badge-{}" title="{}" data-status="{}">{}</span>',
            css,
            desc or info.name,
            info.name,
            info.label,
        )
        if len(_BADGES) < 10_000:  # statuses are few; descriptions repeat
            _BADGES[key] = found
    return found


def _cluster_text(job: Any) -> str:
    """Where a job runs, in words: a DLI job's queue, a CS job's cluster (the shared cluster is not
    shown by its placeholder id)."""
    if job.service == "dli":
        return job.queue_name or EMPTY
    if job.run_mode == vocab.SHARED_CLUSTER:
        return str(vocab.RUN_MODES[vocab.SHARED_CLUSTER])
    return job.cluster_name or (str(job.cluster_id) if job.cluster_id is not None else EMPTY)


def job_rows(
    jobs: Iterable[Any],
    *,
    base_url: str = "",
    multi_team: bool = False,
    polled: dict[int, datetime] | None = None,
) -> list[dict[str, Any]]:
    """The display values of list rows. ``base_url`` + "<credential>/<job id>/" is a job's page (one
    ``reverse()`` per page, not per row); with ``multi_team`` each job carries ``detail_url``.
    ``polled`` maps a credential to its last successful job listing: a live job was seen by it."""
    polled = polled or {}
    rows = []
    # labels in the active language once per page (the vocabulary's are lazy: one lookup per use)
    types = {k: str(v) for k, v in {**vocab.JOB_TYPES, **vocab.DLI_JOB_TYPES}.items()}
    modes = {k: str(v) for k, v in vocab.RUN_MODES.items()}
    units = (str(vocab.COMPUTE_UNITS["spu"].label), str(vocab.COMPUTE_UNITS["cu"].label))
    for job in jobs:
        credential = job.credential
        key = f"{credential.public_id}:{job.job_id}"
        start_iso, start_text, _ = local_parts(job.start_time)
        seen = (polled.get(job.credential_id) if job.deleted_at is None else None) or job.last_seen
        seen_iso, seen_text, _ = local_parts(seen)  # to the minute: "Updated" changes once a minute at most
        rows.append(
            {
                "key": key,
                "url": job.detail_url if multi_team else f"{base_url}{credential.public_id}/{job.job_id}/",
                "name": job.name or str(job.job_id),
                "job_id": job.job_id,
                "credential": credential.name,
                "team_name": job.team.name if multi_team else "",
                "team_url": getattr(job, "team_url", ""),
                "type": types.get(job.job_type or "", job.job_type or ""),
                "badge": status_badge_html(job.status, job.status_desc),
                "mode": modes.get(job.run_mode or "", job.run_mode or ""),
                "cluster": _cluster_text(job),
                "spu": EMPTY if job.spu_number is None else f"{job.spu_number} {units[job.service == 'dli']}",
                "service": "DLI" if job.service == "dli" else "CS",
                "parallel": EMPTY if job.parallel_number is None else job.parallel_number,
                "start_iso": start_iso,
                "start": start_text,
                "duration": duration_ms(job.current_duration_ms),
                "read": rate(job.read_rate),
                "write": rate(job.write_rate),
                "seen_iso": seen_iso,
                "seen": seen_text,
            }
        )
    return rows


def option_tags(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """``<option>`` elements of ``(value, label)`` pairs, ``selected`` marked (a filter form has about
    40 of them: a template loop cost more than the rest of the form)."""
    chosen = "" if selected is None else str(selected)
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f'<option value="{_e(value)}"{" selected" if str(value) == chosen else ""}>{_e(label)}</option>'
            for value, label in choices
        )
    )


def status_history_html(changes: Iterable[Any]) -> SafeString:
    """The status history's timeline items (``jobs/_job_history.html`` places them): each change's
    time (with the zone), the status it left and the one it reached, and CS's description."""
    out = []
    for change in changes:
        info = vocab.job_status(change.status)
        before = f"{status_badge_html(change.previous_status)} → " if change.previous_status else ""
        desc = f'<div class="status-desc">{_e(change.status_desc)}</div>' if change.status_desc else ""
        out.append(
            f'<li class="timeline-item status-{_e(info.group)}">'
            f"{timefmt.time_html(change.observed_at, seconds=True)} "
            f"{before}{status_badge_html(change.status, change.status_desc)}{desc}</li>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped)


def audit_rows_html(traces: Iterable[Any]) -> SafeString:
    """The rows of the CS audit log table (``jobs/_job_logs.html``): when, who (and from where),
    the event and its result (highlighted unless CS rated the event normal)."""
    out = []
    for t in traces:
        result = (
            f'<span class="error-text">{_e(t.op_result)}</span>'
            if t.event_rating and t.event_rating != "normal"
            else _e(t.op_result or EMPTY)
        )
        out.append(
            f'<tr><td class="n">{timefmt.time_html(t.op_time, seconds=True)}</td>'
            f'<td>{_e(t.op_user)}<br><small class="muted">{_e(t.op_ip)}</small></td>'
            f'<td class="n">{_e(vocab.AUDIT_EVENTS.get(t.event_name, t.event_name))}</td><td class="wrap">{result}</td></tr>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped)


def _day_clock(text: str) -> str:
    """``"2026-12-02 00:19 CST"`` escaped, the day and the clock time each kept whole: in a narrow
    column the date breaks between them only (not at a hyphen, not before the zone)."""
    day, sep, clock = text.partition(" ")
    return f'<span class="nobr">{_e(day)}</span> <span class="nobr">{_e(clock)}</span>' if sep else _e(text)


def job_rows_html(
    rows: Iterable[dict[str, Any]], *, selectable: bool, show_credential: bool, multi_team: bool
) -> SafeString:
    """The table body of ``rows`` (:func:`job_rows`), every value escaped as the template engine would.

    The markup is that of a template loop, built here because the engine spent about 100 us per row
    resolving its 20 variables, which made the table most of an uncached list's time.
    """
    select_label = gettext("Select %(name)s")
    out = []
    for r in rows:
        key, name = _e(r["key"]), _e(r["name"])
        cells = [f'<tr data-job="{key}">']
        if selectable:
            label = _e(select_label % {"name": r["name"]})
            cells.append(
                f'<td class="select"><input type="checkbox" name="jobs" value="{key}" form="batch-form" '
                f'data-job-name="{name}" aria-label="{label}"></td>'
            )
        cells.append(f'<td><a href="{_e(r["url"])}">{name}</a> <small class="muted">#{_e(r["job_id"])}')
        if show_credential:
            cells.append(f" · {_e(r['credential'])} ({_e(r['service'])})")
        cells.append("</small></td>")
        if multi_team:
            cells.append(f'<td><a href="{_e(r["team_url"])}">{_e(r["team_name"])}</a></td>')
        start = _day_clock(r["start"])
        if r["start_iso"]:
            start = f'<time datetime="{_e(r["start_iso"])}">{start}</time>'
        cells.append(
            f"<td>{_e(r['type'])}</td><td>{_e(r['badge'])}</td><td>{_e(r['mode'])}</td>"
            f"<td>{_e(r['cluster'])}</td><td>{_e(r['spu'])}</td><td>{_e(r['parallel'])}</td>"
            f'<td>{start}</td><td class="n">{_e(r["duration"])}</td><td class="n">{_e(r["read"])}</td>'
            f'<td class="n">{_e(r["write"])}</td>'
            f'<td><time datetime="{_e(r["seen_iso"])}">{_day_clock(r["seen"])}</time></td></tr>\n'
        )
        out.append("".join(cells))
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


# ------------------------------------------------------------------------------------------ DLI detail

#: CS's and DLI's job and job_config keys in words (the job page shows API keys only in its raw
#: disclosure).
JOB_FIELD_LABELS: dict[str, Any] = {
    "queue_name": _("Queue"),
    "cu_number": _("CUs"),
    "real_cu_number": _("CUs in use"),
    "manager_cu_number": _("JobManager CUs"),
    "tm_cus": _("CUs per TaskManager"),
    "tm_slot_num": _("Slots per TaskManager"),
    "parallel_number": _("Parallelism"),
    "flink_version": _("Flink version"),
    "checkpoint_enabled": _("Checkpoints"),
    "checkpoint_mode": _("Checkpoint mode"),
    "checkpoint_interval": _("Checkpoint interval (s)"),
    "checkpoint_path": _("Checkpoint path"),
    "obs_bucket": _("OBS bucket"),
    "log_enabled": _("Log upload"),
    "smn_topic": _("SMN topic"),
    "restart_when_exception": _("Restart on exception"),
    "resume_checkpoint": _("Resume from the latest checkpoint"),
    "resume_max_num": _("Most restarts per hour"),
    "idle_state_retention": _("Idle state retention (s)"),
    "dirty_data_strategy": _("Dirty data"),
    "udf_jar_url": _("UDF JAR"),
    "entrypoint": _("Entrypoint JAR"),
    "dependency_jars": _("Dependency JARs"),
    "dependency_files": _("Dependency files"),
    "runtime_config": _("Runtime configuration"),
    "edge_group_ids": _("Edge groups"),
    "root_id": _("Root job"),
    "graph_editor_enabled": _("Graph editor"),
    "user_name": _("Owner"),
    "restart_times": _("Restarts"),
    "has_savepoint": _("Has a savepoint"),
    "savepoint_path": _("Savepoint path"),
    "manager_spu": _("JobManager SPUs"),
    "executor_number": _("Executors"),
    "executor_spu": _("SPUs per executor"),
    "config_url": _("Configuration file"),
    "username": _("Owner"),
    "user_id": _("Owner's user ID"),
    "project_id": _("Project ID"),
    "tags": _("Tags"),
    "sys_enterprise_project_id": _("Enterprise project"),
}

#: What the CS job card shows in its own rows (not again among the extra fields).
_CS_CARD_KEYS = frozenset(
    "job_id name desc status status_desc job_type run_mode cluster_id cluster_name spu_number "
    "parallel_number create_time start_time update_time duration jar_url main_class args root_id "
    "edge_group_ids has_savepoint username user_name job_config sql_body checkpoint_enabled log_enabled".split()
)


def _words(key: str, value: Any) -> str:
    """A DLI value in words: booleans, checkpoint modes, dirty data strategies, lists, tags."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if key == "checkpoint_mode":
        mode = vocab.normalize_checkpoint_mode(value)
        return str(vocab.CHECKPOINT_MODES.get(mode, value)) if mode else str(value)
    if key == "dirty_data_strategy":
        parsed = vocab.parse_dirty_data_strategy(value)
        if parsed:
            label = str(vocab.DIRTY_DATA_STRATEGIES.get(parsed[0], parsed[0]))
            return f"{label}: {parsed[1]}" if parsed[1] else label
    if key == "resume_max_num" and value == -1:
        return str(_("unlimited"))
    if key == "root_id" and isinstance(value, int) and value <= 0:
        return EMPTY  # -1: the job is its own root
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _label(key: str) -> str:
    return str(JOB_FIELD_LABELS.get(key) or key.replace("_", " ").capitalize())


def dli_job_items(job: Any) -> list[tuple[str, str]]:
    """The Job card of a DLI job: (label, value in words)."""
    tags = job.tags if isinstance(job.tags, list) else []
    items = [
        (_("Queue"), job.queue_name or EMPTY),
        (_("CUs"), EMPTY if job.spu_number is None else str(job.spu_number)),
        (_("JobManager CUs"), _words("", job.manager_cu_number)),
        (_("CUs per TaskManager"), _words("", job.tm_cus)),
        (_("Slots per TaskManager"), _words("", job.tm_slot_num)),
        (_("Parallelism"), _words("", job.parallel_number)),
        (_("Flink version"), job.flink_version or str(_("the queue's default"))),
        (_("Restarts after exceptions"), EMPTY if job.restart_times is None else str(job.restart_times)),
        (_("Resume from the latest checkpoint"), _words("", job.resume_checkpoint)),
        (_("Most restarts per hour"), _words("resume_max_num", job.resume_max_num)),
        (_("Savepoint path"), job.savepoint_path or EMPTY),
        (
            _("Tags"),
            ", ".join(f"{t.get('key')}={t.get('value')}" for t in tags if isinstance(t, dict)) or EMPTY,
        ),
    ]
    if job.jar_url:
        items.append((_("Entrypoint JAR"), job.jar_url))
    if job.main_class:
        items.append((_("Main class"), job.main_class))
    if job.args:
        items.append((_("Arguments"), job.args))
    return [(str(label), value) for label, value in items]


def cs_job_fields(job: Any) -> dict[str, list[tuple[str, str]]]:
    """A CS job's configuration and its other listed fields in words (``config``, ``extra``), and what
    has no label yet as CS sent it (``raw``: key and value, for the page's raw disclosure)."""
    config = job.job_config if isinstance(job.job_config, dict) else {}
    extra = {k: v for k, v in (job.raw or {}).items() if k not in _CS_CARD_KEYS}
    raw = sorted((k, _words(k, v)) for k, v in {**config, **extra}.items() if k not in JOB_FIELD_LABELS)
    return {
        "config": sorted((_label(k), _words(k, v)) for k, v in config.items() if k in JOB_FIELD_LABELS),
        "extra": sorted((_label(k), _words(k, v)) for k, v in extra.items() if k in JOB_FIELD_LABELS),
        "raw": raw,
    }


def dli_config_items(job: Any) -> list[tuple[str, str]]:
    """The Configuration card of a DLI job: each ``job_config`` entry with its label, in words."""
    config = job.job_config if isinstance(job.job_config, dict) else {}
    rows = [(_label(k), _words(k, v)) for k, v in config.items()]
    return sorted(rows)
