"""Writes for user SPU quotas (reference 5.3.16): lead only, through CS, recorded and refreshed."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from csapi import validation
from dashboard.clusters.models import Cluster
from dashboard.clusters.services import cs_call, refresh
from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.models import Role
from dashboard.teams.versions import changes_team
from dashboard.usage.models import UserQuota

__all__ = ["quota_below_use_message", "quota_update"]


def quota_below_use_message(spu_used: int | None, spu_quota: int | None) -> str:
    """Why ``spu_quota`` is refused for a user already using ``spu_used`` SPUs ("" when it is fine)."""
    if spu_quota is not None and spu_used and spu_quota < spu_used:
        return (
            f"This user already uses {spu_used} SPUs; the quota cannot be lower than that. "
            "Stop some of their jobs first, or choose at least that many."
        )
    return ""


@changes_team
def quota_update(
    *,
    access: TeamAccess,
    user,
    quota: UserQuota,
    spu_quota: int | None = None,
    clusters: Sequence[int] | None = None,
) -> UserQuota:
    """Change a tenant user's SPU quota and/or the clusters they may use (5.3.16)."""
    require_role(access, Role.LEAD)
    if quota.team_id != access.team.id:
        raise ValidationError(_("This quota belongs to another team."))
    body = {k: v for k, v in {"spu_quota": spu_quota, "clusters": clusters}.items() if v is not None}
    problems = validation.validate_user_quota(body)
    below = quota_below_use_message(quota.spu_used, spu_quota)
    if problems or below:
        raise ValidationError({"spu_quota": [p.message for p in problems] + ([below] if below else [])})
    cs_call(
        access=access,
        user=user,
        credential=quota.credential,
        action="quota.update",
        target_type="user",
        target_id=quota.user_id,
        target_name=quota.user_name,
        message=", ".join(f"{k}={v}" for k, v in body.items()),
        call=lambda c: c.quotas.update(
            quota.user_id, spu_quota=spu_quota, clusters=list(clusters) if clusters is not None else None
        ),
    )
    with transaction.atomic():
        fields = ["fingerprint", "last_seen"]
        if spu_quota is not None:
            quota.spu_quota = spu_quota
            fields.append("spu_quota")
        if clusters is not None:
            names = dict(
                Cluster.objects.filter(credential=quota.credential, cluster_id__in=clusters).values_list(
                    "cluster_id", "name"
                )
            )
            quota.clusters = [{"id": cid, "name": names.get(cid, "")} for cid in clusters]
            fields.append("clusters")
        quota.fingerprint = ""
        quota.last_seen = timezone.now()
        quota.save(update_fields=fields)
        refresh(quota.credential, ["quotas"])
    return quota
