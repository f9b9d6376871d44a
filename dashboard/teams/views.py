"""Team, member and credential pages. Each view resolves the team for the user first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from csapi import CSError
from dashboard.teams import services
from dashboard.teams.access import get_team_for_user
from dashboard.teams.cs import error_context
from dashboard.teams.forms import (
    CredentialForm,
    MemberAddForm,
    MemberRoleForm,
    ObsBucketsForm,
    TeamCreateForm,
)
from dashboard.teams.models import ActionLog, Credential, Membership, Role
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
    from dashboard.usage.selectors import team_summaries

    teams = teams_with_roles(request.user, with_credentials=True)
    summaries = team_summaries([team for team, _ in teams])
    rows = [
        {"team": team, "role": role, "is_lead": role >= Role.LEAD, "summary": summaries.get(team.id)}
        for team, role in teams
    ]
    return render(request, "teams/home.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def team_create(request):
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(name=form.cleaned_data["name"], creator=request.user)
        messages.success(request, f"Team {team.name} created. Add a CS credential to start.")
        return redirect(team)
    return render(request, "teams/team_create.html", {"form": form})


@require_safe
@login_required
def team_detail(request, team):
    access = get_team_for_user(request.user, team)
    members = access.team.memberships.select_related("user").order_by("-role", "user__username")
    credentials = Credential.objects.for_team(access.team)
    recent = ActionLog.objects.filter(team=access.team).select_related("user")[:20]
    return render(
        request,
        "teams/team_detail.html",
        {"access": access, "team": access.team, "members": members, "credentials": credentials, "recent": recent},
    )


@require_http_methods(["GET", "POST"])
@login_required
def members(request, team):
    access = get_team_for_user(request.user, team, Role.LEAD)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                access=access, user=request.user, username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['username']} added.")
            return redirect("members", team=access.team.slug)
    memberships = access.team.memberships.select_related("user").order_by("-role", "user__username")
    return render(
        request,
        "teams/members.html",
        {"access": access, "team": access.team, "form": form, "memberships": memberships, "roles": Role.choices},
    )


@require_POST
@login_required
def member_role(request, team, member_id):
    access = get_team_for_user(request.user, team, Role.LEAD)
    membership = get_object_or_404(Membership, team=access.team, user__username=member_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles viewer, operator or lead.")
        return redirect("members", team=access.team.slug)
    try:
        services.membership_change_role(
            access=access, user=request.user, membership=membership, role=form.cleaned_data["role"]
        )
        messages.success(request, f"{membership.user.username} is now {Role(form.cleaned_data['role']).label}.")
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("members", team=access.team.slug)


@require_POST
@login_required
def member_remove(request, team, member_id):
    access = get_team_for_user(request.user, team, Role.LEAD)
    membership = get_object_or_404(Membership, team=access.team, user__username=member_id)
    try:
        services.membership_remove(access=access, user=request.user, membership=membership)
        messages.success(request, f"{member_id} removed from {access.team.name}.")
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("members", team=access.team.slug)


def _credential_for(access, credential_id) -> Credential:
    return get_object_or_404(Credential.objects.for_team(access.team), public_id=credential_id)


@require_safe
@login_required
def credential_list(request, team):
    access = get_team_for_user(request.user, team)
    credentials = Credential.objects.for_team(access.team)
    return render(request, "teams/credential_list.html", {"access": access, "team": access.team,
                                                          "credentials": credentials})


def _render_credential(request, access, cred, *, obs_form=None, cs_error=None, status=200):
    return render(
        request,
        "teams/credential_detail.html",
        {"access": access, "team": access.team, "credential": cred, "obs_form": obs_form or ObsBucketsForm(),
         "cs_error": cs_error},
        status=status,
    )


@require_safe
@login_required
def credential_detail(request, team, credential):
    access = get_team_for_user(request.user, team)
    return _render_credential(request, access, _credential_for(access, credential))


@require_POST
@login_required
def credential_test(request, team, credential):
    access = get_team_for_user(request.user, team, Role.LEAD)
    cred = _credential_for(access, credential)
    try:
        versions = services.credential_test_connection(access=access, user=request.user, credential=cred)
    except CSError as exc:
        cred.refresh_from_db()
        return _render_credential(request, access, cred, cs_error=error_context(exc))
    version = versions.get("id") or versions.get("version") or ""
    messages.success(request, f"Connected to CS{f' (release {version})' if version else ''}.")
    return redirect(cred)


@require_POST
@login_required
def credential_register(request, team, credential):
    access = get_team_for_user(request.user, team, Role.LEAD)
    cred = _credential_for(access, credential)
    try:
        services.credential_register(access=access, user=request.user, credential=cred)
    except CSError as exc:
        cred.refresh_from_db()
        return _render_credential(request, access, cred, cs_error=error_context(exc))
    messages.success(request, "The project is registered to use CS.")
    return redirect(cred)


@require_POST
@login_required
def credential_authorize_obs(request, team, credential):
    access = get_team_for_user(request.user, team, Role.LEAD)
    cred = _credential_for(access, credential)
    form = ObsBucketsForm(request.POST)
    if not form.is_valid():
        return _render_credential(request, access, cred, obs_form=form)
    try:
        services.credential_authorize_obs(
            access=access, user=request.user, credential=cred, buckets=form.cleaned_data["buckets"]
        )
    except CSError as exc:
        cred.refresh_from_db()
        return _render_credential(request, access, cred, obs_form=form, cs_error=error_context(exc))
    messages.success(request, f"CS may now use the OBS bucket(s) {', '.join(form.cleaned_data['buckets'])}.")
    return redirect(cred)


@require_http_methods(["GET", "POST"])
@login_required
def credential_edit(request, team, credential=None):
    access = get_team_for_user(request.user, team, Role.LEAD)
    instance = _credential_for(access, credential) if credential else Credential(team=access.team)
    form = CredentialForm(request.POST or None, instance=instance, team=access.team)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.credential_save(
                access=access, user=request.user, credential=form.save(commit=False),
                secret=form.cleaned_data.get("secret") or None,
            )
        except ValidationError as error:
            _apply_validation_error(form, error)
        else:
            messages.success(request, f"Credential {saved.name} saved.")
            return redirect(saved)
    return render(
        request, "teams/credential_form.html",
        {"access": access, "team": access.team, "form": form, "credential": instance if instance.pk else None},
    )


@require_POST
@login_required
def credential_delete(request, team, credential):
    access = get_team_for_user(request.user, team, Role.LEAD)
    cred = _credential_for(access, credential)
    services.credential_delete(access=access, user=request.user, credential=cred)
    messages.success(request, f"Credential {cred.name} deleted.")
    return redirect("credential_list", team=access.team.slug)
