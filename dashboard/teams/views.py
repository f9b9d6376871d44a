"""Team, member and credential pages. Each view resolves the team for the user first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from dashboard.teams import services
from dashboard.teams.access import team_view
from dashboard.teams.concurrency import CallLimitReached
from dashboard.teams.forms import (
    CredentialForm,
    MemberAddForm,
    MemberRoleForm,
    ObsBucketsForm,
    TeamCreateForm,
)
from dashboard.teams.models import ActionLog, CloudCall, Credential, Membership, Role
from dashboard.teams.selectors import teams_with_roles


def _apply_validation_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_safe
@login_required
def home(request):
    from dashboard.alerts.selectors import open_incident_counts
    from dashboard.usage.selectors import team_summaries

    teams = teams_with_roles(request.user, with_credentials=True)
    summaries = team_summaries([team for team, _ in teams])
    incidents = open_incident_counts([team for team, _ in teams])
    rows = [
        {
            "team": team,
            "role": role,
            "is_lead": role >= Role.LEAD,
            "summary": summaries.get(team.id),
            "incidents": incidents.get(team.id),
        }
        for team, role in teams
    ]
    return render(request, "teams/home.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def team_create(request):
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(name=form.cleaned_data["name"], creator=request.user)
        messages.success(
            request, _("Team %(team)s created. Add a credential to start.") % {"team": team.name}
        )
        return redirect(team)
    return render(request, "teams/team_create.html", {"form": form})


@team_view(GET=Role.VIEWER)
def team_detail(request, access):
    members = access.team.memberships.select_related("user").order_by("-role", "user__username")
    credentials = Credential.objects.for_team(access.team)
    recent = ActionLog.objects.filter(team=access.team).select_related("user")[:20]
    return render(
        request,
        "teams/team_detail.html",
        {
            "access": access,
            "team": access.team,
            "members": members,
            "credentials": credentials,
            "recent": recent,
        },
    )


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def members(request, access):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                access=access,
                user=request.user,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("%(user)s added.") % {"user": form.cleaned_data["username"]})
            return redirect("members", team=access.team.slug)
    memberships = access.team.memberships.select_related("user").order_by("-role", "user__username")
    return render(
        request,
        "teams/members.html",
        {
            "access": access,
            "team": access.team,
            "form": form,
            "memberships": memberships,
            "roles": Role.choices,
        },
    )


@team_view(POST=Role.LEAD)
def member_role(request, access, member_id):
    membership = get_object_or_404(Membership, team=access.team, user__username=member_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles viewer, operator or lead."))
        return redirect("members", team=access.team.slug)
    try:
        services.membership_change_role(
            access=access, user=request.user, membership=membership, role=form.cleaned_data["role"]
        )
        messages.success(
            request,
            _("%(user)s is now %(role)s.")
            % {"user": membership.user.username, "role": Role(form.cleaned_data["role"]).label},
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("members", team=access.team.slug)


@team_view(POST=Role.LEAD)
def member_remove(request, access, member_id):
    membership = get_object_or_404(Membership, team=access.team, user__username=member_id)
    try:
        services.membership_remove(access=access, user=request.user, membership=membership)
        messages.success(
            request, _("%(user)s removed from %(team)s.") % {"user": member_id, "team": access.team.name}
        )
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("members", team=access.team.slug)


def _credential_for(access, credential_id) -> Credential:
    return get_object_or_404(Credential.objects.for_team(access.team), public_id=credential_id)


@team_view(GET=Role.VIEWER)
def credential_list(request, access):
    credentials = Credential.objects.for_team(access.team)
    return render(
        request,
        "teams/credential_list.html",
        {"access": access, "team": access.team, "credentials": credentials},
    )


def _render_credential(request, access, cred, *, obs_form=None, status=200):
    calls = CloudCall.objects.filter(credential=cred).select_related("user")[:5]
    return render(
        request,
        "teams/credential_detail.html",
        {
            "access": access,
            "team": access.team,
            "credential": cred,
            "obs_form": obs_form or ObsBucketsForm(),
            "calls": calls,
            "cloud_calls": services.cloud_calls_for(cred),
        },
        status=status,
    )


@team_view(GET=Role.VIEWER)
def credential_detail(request, access, credential):
    return _render_credential(request, access, _credential_for(access, credential))


def _start_call(request, access, cred, action: str, params: dict | None = None):
    """Queue a cloud call for a worker; htmx gets its live status fragment, a plain form the page."""
    try:
        call = services.cloud_call_start(
            access=access, user=request.user, credential=cred, action=action, params=params
        )
    except (CallLimitReached, PermissionDenied) as exc:
        status = 429 if isinstance(exc, CallLimitReached) else 409
        if request.htmx:
            return render(request, "teams/_cloud_call_refused.html", {"reason": str(exc)}, status=status)
        messages.error(request, str(exc))
        return redirect(cred)
    if request.htmx:
        return render(
            request,
            "teams/_cloud_call.html",
            {"call": call, "team": access.team, "credential": cred, "started": True},
        )
    messages.info(
        request, _("Started; the outcome appears under “Recent calls” when the cloud has answered.")
    )
    return redirect(cred)


@team_view(POST=Role.LEAD)
def credential_test(request, access, credential):
    return _start_call(request, access, _credential_for(access, credential), "test")


@team_view(POST=Role.LEAD)
def credential_register(request, access, credential):
    return _start_call(request, access, _credential_for(access, credential), "register")


@team_view(POST=Role.LEAD)
def credential_authorize_obs(request, access, credential):
    cred = _credential_for(access, credential)
    form = ObsBucketsForm(request.POST)
    if not form.is_valid():
        return _render_credential(request, access, cred, obs_form=form)
    return _start_call(request, access, cred, "authorize_obs", {"buckets": form.cleaned_data["buckets"]})


@team_view(GET=Role.VIEWER)
def credential_call(request, access, credential, call):
    """One cloud call's state (polled by the page while it runs); the credential's facts once it ended."""
    cred = _credential_for(access, credential)
    found = get_object_or_404(CloudCall.objects.select_related("user"), credential=cred, public_id=call)
    cred.refresh_from_db()
    return render(
        request,
        "teams/_cloud_call.html",
        {
            "call": found,
            "team": access.team,
            "credential": cred,
            "access": access,
            "oob_fields": found.finished and request.htmx,
        },
    )


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def credential_edit(request, access, credential=None):
    instance = _credential_for(access, credential) if credential else Credential(team=access.team)
    form = CredentialForm(request.POST or None, instance=instance, team=access.team)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.credential_save(
                access=access,
                user=request.user,
                credential=form.save(commit=False),
                secret=form.cleaned_data.get("secret") or None,
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, _("Credential %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    return render(
        request,
        "teams/credential_form.html",
        {
            "access": access,
            "team": access.team,
            "form": form,
            "credential": instance if instance.pk else None,
        },
    )


@team_view(POST=Role.LEAD)
def credential_delete(request, access, credential):
    cred = _credential_for(access, credential)
    services.credential_delete(access=access, user=request.user, credential=cred)
    messages.success(request, _("Credential %(name)s deleted.") % {"name": cred.name})
    return redirect("credential_list", team=access.team.slug)
