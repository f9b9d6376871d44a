"""Writes for teams, members and credentials: one function per action, each checking the role."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dashboard.teams.access import TeamAccess, require_role
from dashboard.teams.models import ActionLog, Credential, Membership, Role, Team
from dashboard.teams.versions import changes_team

logger = logging.getLogger(__name__)


def signed_in(user):
    """The user a row records as its author: the signed-in person, or None (the system, a task)."""
    return user if getattr(user, "is_authenticated", False) else None


def action_record(
    *,
    team: Team,
    user,
    action: str,
    outcome: str = ActionLog.Outcome.SUCCESS,
    credential: Credential | None = None,
    target_type: str = "",
    target_id: str = "",
    target_name: str = "",
    message: str = "",
) -> ActionLog:
    """Append one entry to the dashboard's own action log (who did what, and how it went)."""
    return ActionLog.objects.create(
        team=team,
        user=signed_in(user),
        action=action,
        outcome=outcome,
        credential=credential,
        target_type=target_type,
        target_id=str(target_id)[:128],
        target_name=target_name[:255],
        message=message[:2000],
    )


def unique_team_slug(name: str) -> str:
    base = slugify(name)[:90] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def team_create(*, name: str, creator) -> Team:
    """Create a team; its creator becomes its lead."""
    team = Team.objects.create(name=name, slug=unique_team_slug(name))
    Membership.objects.create(team=team, user=creator, role=Role.LEAD)
    action_record(team=team, user=creator, action="team.create", target_type="team", target_name=name)
    return team


@changes_team
@transaction.atomic
def membership_add(*, access: TeamAccess, user, username: str, role: int) -> Membership:
    require_role(access, Role.LEAD)
    member = get_user_model().objects.filter(username=username).first()
    if member is None:
        raise ValidationError(
            {"username": _("There is no user named “%(username)s”.") % {"username": username}}
        )
    if Membership.objects.filter(team=access.team, user=member).exists():
        raise ValidationError(
            {
                "username": _("%(username)s is already a member of %(team)s.")
                % {"username": username, "team": access.team.name}
            }
        )
    membership = Membership.objects.create(team=access.team, user=member, role=role)
    action_record(
        team=access.team,
        user=user,
        action="member.add",
        target_type="user",
        target_name=username,
        message=Role(role).label,
    )
    return membership


def _ensure_a_lead_remains(membership: Membership, new_role: int | None) -> None:
    if membership.role == Role.LEAD and (new_role is None or new_role < Role.LEAD):
        other_leads = Membership.objects.filter(team=membership.team, role=Role.LEAD).exclude(
            pk=membership.pk
        )
        if not other_leads.exists():
            raise PermissionDenied("A team needs at least one lead: make someone else lead first.")


@changes_team
@transaction.atomic
def membership_change_role(*, access: TeamAccess, user, membership: Membership, role: int) -> Membership:
    require_role(access, Role.LEAD)
    _ensure_a_lead_remains(membership, role)
    membership.role = role
    membership.save(update_fields=["role"])
    action_record(
        team=access.team,
        user=user,
        action="member.role",
        target_type="user",
        target_name=membership.user.username,
        message=Role(role).label,
    )
    return membership


@changes_team
@transaction.atomic
def membership_remove(*, access: TeamAccess, user, membership: Membership) -> None:
    require_role(access, Role.LEAD)
    _ensure_a_lead_remains(membership, None)
    username = membership.user.username
    membership.delete()
    action_record(
        team=access.team, user=user, action="member.remove", target_type="user", target_name=username
    )


@changes_team
@transaction.atomic
def credential_save(*, access: TeamAccess, user, credential: Credential, secret: str | None) -> Credential:
    """Create or update a credential. An empty ``secret`` on update keeps the stored one."""
    require_role(access, Role.LEAD)
    creating = credential.pk is None
    credential.team = access.team
    if secret:
        credential.set_secret(secret)
    elif creating:
        raise ValidationError({"secret": _("A secret is required for a new credential.")})
    else:
        stored = (
            Credential.objects.filter(pk=credential.pk).values(*Credential.SECRET_BOUND_FIELDS).first() or {}
        )
        if any(stored.get(f) != getattr(credential, f) for f in Credential.SECRET_BOUND_FIELDS):
            raise ValidationError(
                {"secret": _("Where the secret goes changed: enter the secret (password or SK) again.")}
            )
    credential.needs_attention = False
    credential.save()
    action_record(
        team=access.team,
        user=user,
        credential=credential,
        action="credential.create" if creating else "credential.update",
        target_type="credential",
        target_id=str(credential.public_id),
        target_name=credential.name,
        message="secret replaced" if secret and not creating else "",
    )
    logger.info("credential %s saved for team %s", credential.public_id, access.team.slug)
    return credential


@changes_team
@transaction.atomic
def credential_delete(*, access: TeamAccess, user, credential: Credential) -> None:
    require_role(access, Role.LEAD)
    action_record(
        team=access.team,
        user=user,
        action="credential.delete",
        target_type="credential",
        target_id=str(credential.public_id),
        target_name=credential.name,
    )
    credential.delete()


def credentials_reencrypt() -> int:
    """Re-encrypt every stored secret under the newest key; returns how many were rewritten."""
    from dashboard.teams import crypto

    count = 0
    for credential in Credential.objects.only("pk", "secret_encrypted").iterator():
        rotated = crypto.rotate(credential.secret_encrypted)
        if rotated != credential.secret_encrypted:
            Credential.objects.filter(pk=credential.pk).update(secret_encrypted=rotated)
            count += 1
    return count


def cs_action(
    *,
    access: TeamAccess,
    user,
    credential: Credential,
    action: str,
    call,
    min_role: int,
    target_type: str = "",
    target_id: Any = "",
    target_name: str = "",
    message: str = "",
    id_from=None,
):
    """Run one CS call for a user's action and record its outcome in the action log either way.

    The one path of every write to CS: the role is checked, the credential must be the team's, a CS
    failure is recorded with its readable text and re-raised for the caller to show.
    """
    from csapi import CSError
    from dashboard.teams.concurrency import CallLimitReached, cloud_call_slot
    from dashboard.teams.cs import client_for, error_text

    require_role(access, min_role)
    if credential.team_id != access.team.id:
        raise PermissionDenied("This credential belongs to another team.")
    user_id = getattr(signed_in(user), "pk", None)
    try:
        with (
            cloud_call_slot(team_id=access.team.id, user_id=user_id),
            client_for(credential, interactive=True) as client,
        ):
            result = call(client)
    except CallLimitReached:
        raise  # nothing was sent: nothing to record
    except CSError as exc:
        text = error_text(exc)
        logger.info("%s failed for team %s: %s", action, access.team.slug, text)
        action_record(
            team=access.team,
            user=user,
            credential=credential,
            action=action,
            outcome=ActionLog.Outcome.FAILURE,
            target_type=target_type,
            target_id=str(target_id),
            target_name=target_name,
            message=text,
        )
        raise
    if id_from is not None:
        target_id = id_from(result)
    action_record(
        team=access.team,
        user=user,
        credential=credential,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_name=target_name,
        message=message,
    )
    return result


def _credential_call(
    *, access: TeamAccess, user, credential: Credential, action: str, call, message: str = ""
):
    """A lead's CS call about the credential itself; a failure is also remembered on the credential."""
    from csapi import CSAuthError, CSEndpointRefused, CSError
    from dashboard.teams.concurrency import CallLimitReached
    from dashboard.teams.cs import error_record, error_text

    try:
        return cs_action(
            access=access,
            user=user,
            credential=credential,
            action=action,
            call=call,
            min_role=Role.LEAD,
            target_type="credential",
            target_id=credential.public_id,
            target_name=credential.name,
            message=message,
        )
    except CallLimitReached:
        raise
    except CSError as exc:
        Credential.objects.filter(pk=credential.pk).update(
            last_error=error_text(exc),
            last_error_record=error_record(exc),
            needs_attention=isinstance(exc, CSAuthError | CSEndpointRefused),
        )
        raise


#: The fields of CS's version answer (5.1.4) the dashboard keeps; nothing else of an answer is stored.
_RELEASE_FIELDS = ("id", "version", "min_version", "status", "updated")


def release_summary(answer: Any) -> dict:
    """The documented release fields of a versions answer, as short strings (anything else is dropped)."""
    from csapi.errors import cap_text

    data = answer if isinstance(answer, Mapping) else {}
    out = {}
    for key in _RELEASE_FIELDS:
        value = data.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            out[key] = cap_text(value, 64)
    engines = data.get("engines")
    if isinstance(engines, list):
        out["engines"] = [
            {k: cap_text(e.get(k), 64) for k in ("name", "version") if isinstance(e.get(k), str | int)}
            for e in engines[:5]
            if isinstance(e, Mapping)
        ]
    return out


@changes_team
def credential_test_connection(*, access: TeamAccess, user, credential: Credential) -> dict:
    """Authenticate and make cheap calls of the credential's service; remember the outcome.

    CS: its versions, then a one-job listing. DLI: a one-job listing, then the queues. When the
    endpoint does not know the service's API, the other service's cheap call is tried once, so that a
    DLI credential pointed at CS's endpoint (or the reverse) says so rather than "unknown API".
    """
    from django.utils import timezone

    def check(client):
        try:
            if credential.is_dli:
                client.jobs.list(limit=1)
                return {"service": "dli", "queues": len(client.queues.list())}
            versions = client.account.versions()
            client.jobs.list(limit=1)
            return release_summary(versions)
        except Exception as exc:
            mismatch = service_mismatch(credential, exc)
            if mismatch is not None:
                raise mismatch from None
            raise

    versions = _credential_call(
        access=access, user=user, credential=credential, action="credential.test", call=check
    )
    Credential.objects.filter(pk=credential.pk).update(
        last_verified_at=timezone.now(),
        last_error="",
        last_error_record={},
        needs_attention=False,
        cs_versions=versions,
    )
    return versions


#: What an endpoint answers for a path it does not serve: CS's "API not supported", the API
#: gateway's "API does not exist", or a bare 404.
_UNKNOWN_API_CODES = frozenset({"CS.10003", "APIGW.0101"})


def _unknown_api(exc: Exception) -> bool:
    from csapi import CSError

    if not isinstance(exc, CSError):
        return False
    return exc.code in _UNKNOWN_API_CODES or (exc.http_status == 404 and not exc.code)


def service_mismatch(credential: Credential, exc: Exception):
    """A clear error when ``credential``'s endpoint speaks the other service's API, else ``None``.

    Asked only after the endpoint answered that it does not know the service's API: one cheap call
    of the other service (CS's versions, DLI's one-job listing) on the same endpoint, same secret.
    """
    from csapi import CSError, CSValidationError
    from dashboard.teams.cs import client_for
    from dashboard.teams.models import Service

    if not _unknown_api(exc):
        return None
    other = Service.CS if credential.is_dli else Service.DLI
    endpoint = credential.effective_endpoint
    probe = Credential(
        team_id=credential.team_id,
        region=credential.region,
        service=other,
        cs_endpoint=endpoint,
        dli_endpoint=endpoint,
        iam_endpoint=credential.iam_endpoint,
        vpc_endpoint=credential.vpc_endpoint,
        project_id=credential.project_id,
        auth_type=credential.auth_type,
        domain_name=credential.domain_name,
        username=credential.username,
        access_key=credential.access_key,
        secret_encrypted=credential.secret_encrypted,
    )
    try:
        with client_for(probe, interactive=True) as client:
            if other == Service.CS:
                client.account.versions()
            else:
                client.jobs.list(limit=1)
    except CSError:
        return None  # neither answers: the original error stands
    field = "dli_endpoint" if credential.is_dli else "cs_endpoint"
    if credential.is_dli:
        text = _(
            "%(endpoint)s answers as Cloud Stream Service (CS), not DLI: edit the credential and enter "
            "DLI's endpoint (https://dli.%(region)s.myhuaweicloud.com), or add a CS credential for it."
        )
    else:
        text = _(
            "%(endpoint)s answers as DLI, not Cloud Stream Service (CS): edit the credential and enter "
            "CS's endpoint (https://cs.%(region)s.myhuaweicloud.com), or add a DLI credential for it."
        )
    err = CSValidationError(str(text % {"endpoint": endpoint, "region": credential.region}))
    err.field = field
    return err


@changes_team
def credential_register(*, access: TeamAccess, user, credential: Credential) -> None:
    """Register the credential's project to use CS (reference 5.1.1)."""
    from django.utils import timezone

    _credential_call(
        access=access,
        user=user,
        credential=credential,
        action="credential.register",
        call=lambda client: client.account.register(),
    )
    Credential.objects.filter(pk=credential.pk).update(
        registered_at=timezone.now(), last_error="", last_error_record={}
    )


@changes_team
def credential_authorize_obs(*, access: TeamAccess, user, credential: Credential, buckets: list[str]) -> None:
    """Grant CS operation rights on OBS buckets (reference 5.1.2)."""
    _credential_call(
        access=access,
        user=user,
        credential=credential,
        action="credential.authorize_obs",
        call=lambda client: client.account.authorize_obs(buckets),
        message=", ".join(buckets),
    )


# ------------------------------------------------------------------------------ on-demand cloud calls
#: What a lead can ask of a credential from its page: the service that runs it in a worker, and
#: the sentence that reports its success.
CLOUD_CALL_ACTIONS = ("test", "register", "authorize_obs")
#: The calls each service has: registering a project and authorizing OBS buckets are CS operations
#: (5.1.1, 5.1.2); DLI has no counterpart the dashboard offers.
SERVICE_CLOUD_CALLS = {"cs": CLOUD_CALL_ACTIONS, "dli": ("test",)}


def cloud_calls_for(credential: Credential) -> tuple[str, ...]:
    return SERVICE_CLOUD_CALLS.get(credential.service, ())


def cloud_call_start(
    *, access: TeamAccess, user, credential: Credential, action: str, params: dict | None = None
):
    """Queue a call to the cloud for ``credential``; a worker runs it (:func:`cloud_call_run`).

    Refused (``CallLimitReached``) when the team or the user already has as many calls waiting or
    running as ``CS_INTERACTIVE_PER_TEAM`` / ``CS_INTERACTIVE_PER_USER`` allow.
    """
    from django.conf import settings
    from django.utils import timezone

    from dashboard.teams.concurrency import CallLimitReached
    from dashboard.teams.models import CloudCall

    require_role(access, Role.LEAD)
    if credential.team_id != access.team.id:
        raise PermissionDenied("This credential belongs to another team.")
    if action not in CLOUD_CALL_ACTIONS:
        raise ValueError(f"unknown cloud call {action!r}")
    if action not in cloud_calls_for(credential):
        raise PermissionDenied(
            _("This is a CS operation; a DLI credential has no such call. Nothing was sent.")
        )
    live = CloudCall.objects.filter(
        state__in=CloudCall.ACTIVE_STATES, created_at__gte=timezone.now() - cloud_call_expiry()
    )
    if live.filter(team=access.team).count() >= settings.CS_INTERACTIVE_PER_TEAM:
        raise CallLimitReached("team", settings.CS_INTERACTIVE_PER_TEAM)
    if live.filter(user=user).count() >= settings.CS_INTERACTIVE_PER_USER:
        raise CallLimitReached("user", settings.CS_INTERACTIVE_PER_USER)
    call = CloudCall.objects.create(
        team=access.team, credential=credential, user=user, action=action, params=params or {}
    )
    call_id = call.pk

    def enqueue() -> None:
        from dashboard.teams.tasks import run_cloud_call

        try:
            run_cloud_call.delay(call_id)
        except Exception:  # noqa: BLE001 - the broker is down: say so instead of waiting forever
            logger.warning("could not enqueue cloud call %s", call_id)
            CloudCall.objects.filter(pk=call_id).update(
                state=CloudCall.State.FAILED,
                finished_at=timezone.now(),
                message="The dashboard's workers cannot be reached right now; try again later.",
            )

    transaction.on_commit(enqueue)
    return call


def cloud_call_expiry():
    """How long a call may wait for a worker before it is given up."""
    from datetime import timedelta

    from django.conf import settings

    return timedelta(seconds=max(120, settings.CS_INTERACTIVE_DEADLINE * 6))


def cloud_call_run(*, call_id: int) -> None:
    """Run one queued cloud call (in a worker) and record how it ended. Never raises for a cloud failure."""
    from django.utils import timezone

    from csapi import CSError
    from dashboard.teams.access import TeamAccess, role_in_team
    from dashboard.teams.cs import error_context, error_text
    from dashboard.teams.models import CloudCall
    from dashboard.teams.versions import team_changed

    call = CloudCall.objects.select_related("team", "credential", "user").filter(pk=call_id).first()
    if call is None or call.finished:
        return  # deleted with its credential, or a redelivery of a call that already ended

    def finish(state, message: str, error: dict | None = None) -> None:
        CloudCall.objects.filter(pk=call.pk).update(
            state=state, message=message, error=error or {}, finished_at=timezone.now()
        )
        team_changed(call.team_id)

    if call.created_at < timezone.now() - cloud_call_expiry():
        finish(CloudCall.State.FAILED, "This request waited too long for a worker; start it again.")
        return
    CloudCall.objects.filter(pk=call.pk).update(state=CloudCall.State.RUNNING, started_at=timezone.now())
    role = role_in_team(call.user, call.team) if call.user is not None else None
    if role is None or role < Role.LEAD:
        finish(CloudCall.State.FAILED, "Only a lead of the team can do this; nothing was sent.")
        return
    access = TeamAccess(team=call.team, role=role)
    try:
        if call.action == "test":
            versions = credential_test_connection(access=access, user=call.user, credential=call.credential)
            if call.credential.is_dli:
                message = _("Connected to DLI (%(count)d queues).") % {"count": versions.get("queues", 0)}
            else:
                release = versions.get("version") or versions.get("id") or ""
                message = f"Connected to CS{f' (release {release})' if release else ''}."
        elif call.action == "register":
            credential_register(access=access, user=call.user, credential=call.credential)
            message = "The project is registered to use CS."
        else:
            buckets = [str(b) for b in call.params.get("buckets", [])]
            credential_authorize_obs(
                access=access, user=call.user, credential=call.credential, buckets=buckets
            )
            message = f"CS may now use the OBS bucket(s) {', '.join(buckets)}."
    except CSError as exc:
        finish(CloudCall.State.FAILED, error_text(exc), error_context(exc))
    except PermissionDenied as exc:
        finish(CloudCall.State.FAILED, str(exc))
    except BaseException:  # the worker's time limit, or a defect: the page must not wait forever
        logger.exception("cloud call %s (%s) did not finish", call.pk, call.action)
        finish(CloudCall.State.FAILED, "The dashboard could not finish this call; try again later.")
        raise
    else:
        finish(CloudCall.State.SUCCEEDED, message)
