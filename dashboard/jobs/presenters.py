"""What a job row shows, worked out in Python once per row, so that the table template only places text.

Django's template engine resolves every ``{{ job.x|filter }}`` through several lookups and a filter
call; a 25-row table of 14 columns spent most of its time there. Here each row becomes a plain dict
of ready strings (labels from the vocabulary, times in the active time zone, durations and rates
formatted), and ``jobs/_job_table.html`` places them, escaping them as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.html import format_html

from csapi import vocab
from dashboard.jobs.templatetags.jobs_tags import duration_ms, rate

EMPTY = "—"


def local_parts(value: datetime | None) -> tuple[str, str, str]:
    """(ISO 8601 with offset, "YYYY-MM-DD HH:MM", "MM-DD HH:MM:SS") of ``value`` in the active time zone."""
    if value is None:
        return "", EMPTY, EMPTY
    local = timezone.localtime(value)
    return local.isoformat(), local.strftime("%Y-%m-%d %H:%M"), local.strftime("%m-%d %H:%M:%S")


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


def job_rows(jobs: Iterable[Any], *, base_url: str = "", multi_team: bool = False) -> list[dict[str, Any]]:
    """The display values of list rows. ``base_url`` + "<credential>/<job id>/" is a job's page (one
    ``reverse()`` per page, not per row); with ``multi_team`` each job carries ``detail_url``."""
    rows = []
    types = vocab.JOB_TYPES
    modes = vocab.RUN_MODES
    for job in jobs:
        credential = job.credential
        key = f"{credential.public_id}:{job.job_id}"
        start_iso, start_text, _ = local_parts(job.start_time)
        seen_iso, _, seen_text = local_parts(job.last_seen)
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
                "cluster": job.cluster_name or (str(job.cluster_id) if job.cluster_id is not None else EMPTY),
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
