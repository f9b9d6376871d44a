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

from csapi import vocab
from dashboard import timefmt
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


_BADGES: dict[tuple[str, str], str] = {}


def status_badge_html(status: str, desc: str = "") -> str:
    """The status badge (the same markup as the ``status_badge`` tag), built once per (status, text)."""
    key = (status, desc)
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
    """The cluster a job runs in, in words: the shared cluster is not shown by its placeholder id."""
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
    types = vocab.JOB_TYPES
    modes = vocab.RUN_MODES
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
                "spu": EMPTY if job.spu_number is None else job.spu_number,
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
