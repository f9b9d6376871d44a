"""Which actions a job or a cluster allows in its state, in words, for pages, services and the API.

The rules themselves are ``csapi.vocab.job_action_refusal`` and ``cluster_action_refusal`` (shared with
the emulator, which refuses the same actions with CS's codes); this module turns their reason keys
into sentences and into :class:`ActionRefused`, raised by the services before anything is sent.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from csapi import vocab


class ActionRefused(Exception):
    """The object's state does not allow the action: refused before the cloud was called."""

    def __init__(self, message: str, *, action: str, reason: str) -> None:
        super().__init__(message)
        self.message, self.action, self.reason = message, action, reason


def _status_label(status: str | None) -> str:
    return str(vocab.job_status(status).label).lower()


def job_refusal(job: Any, action: str) -> str | None:
    """Why ``action`` cannot be done to ``job`` now, as a sentence; ``None`` when it can."""
    has_savepoint = job.savepoint_exists if action == "resume" else bool(job.has_savepoint)
    reason = vocab.job_action_refusal(action, job.status, has_savepoint=has_savepoint)
    if reason is None:
        return None
    name, status = job.name or str(job.job_id), _status_label(job.status)
    if reason == "busy":
        if action == "edit":
            return _("%(name)s is %(status)s: stop it before editing it.") % {"name": name, "status": status}
        return _("%(name)s is %(status)s already.") % {"name": name, "status": status}
    if reason == "not_stoppable":
        if job.status == vocab.JOB_INIT:
            return _("%(name)s is a draft: it has never run.") % {"name": name}
        return _("%(name)s is %(status)s: nothing runs to stop.") % {"name": name, "status": status}
    if reason == "not_running":
        return _("%(name)s is %(status)s: a savepoint is made only of a running job.") % {
            "name": name,
            "status": status,
        }
    if reason == "no_savepoint":
        return _("%(name)s has no savepoint to resume from.") % {"name": name}
    return _("%(name)s cannot do that now.") % {"name": name}


def require_job_action(job: Any, action: str) -> None:
    message = job_refusal(job, action)
    if message is not None:
        raise ActionRefused(message, action=action, reason=action)


def cluster_refusal(cluster: Any, action: str) -> str | None:
    """Why ``action`` cannot be done to ``cluster`` now, as a sentence; ``None`` when it can."""
    reason = vocab.cluster_action_refusal(action, cluster.status_code)
    if reason is None:
        return None
    name = cluster.name or str(cluster.cluster_id)
    status = str(vocab.cluster_status(cluster.status_code).label).lower()
    if reason == "deleting":
        return _("The cluster %(name)s is being deleted.") % {"name": name}
    if reason == "not_stopped":
        return _("The cluster %(name)s is %(status)s: only a stopped cluster can be restarted.") % {
            "name": name,
            "status": status,
        }
    return _("The cluster %(name)s is %(status)s: this needs a running cluster.") % {
        "name": name,
        "status": status,
    }


def require_cluster_action(cluster: Any, action: str) -> None:
    message = cluster_refusal(cluster, action)
    if message is not None:
        raise ActionRefused(message, action=action, reason=action)
