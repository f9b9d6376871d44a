"""Alerts pages: incidents, rules, channels, silences and maintenance windows of a team.

Every view resolves the team for the user first (outsider 404, lower role 403), then parses, calls a
service or a selector, and renders.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.alerts import selectors, services
from dashboard.alerts.forms import ChannelForm, MaintenanceForm, RuleForm, SilenceForm
from dashboard.alerts.models import Channel, IncidentState, MaintenanceWindow, Rule
from dashboard.jobs.models import Job
from dashboard.teams.access import team_view
from dashboard.teams.models import Role


def _context(access, **extra) -> dict:
    return {"access": access, "team": access.team, **extra}


def _apply(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# ------------------------------------------------------------------------------------------ incidents


@team_view(GET=Role.VIEWER)
def incident_list(request, access):
    state = request.GET.get("state", "unresolved")
    incidents = selectors.incident_list(access.team, state=state)[:200]
    return render(
        request,
        "alerts/incident_list.html",
        _context(
            access,
            incidents=incidents,
            state=state,
            states=[("unresolved", _("Unresolved")), *IncidentState.choices, ("all", _("All"))],
        ),
    )


def _silence_initial():
    return {"until": (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}


@team_view(GET=Role.VIEWER)
def incident_detail(request, access, incident):
    found = selectors.incident_get(access.team, incident)
    return render(
        request,
        "alerts/incident_detail.html",
        _context(
            access,
            incident=found,
            deliveries=selectors.incident_deliveries(found),
            silence_form=SilenceForm(initial=_silence_initial()),
        ),
    )


@team_view(POST=Role.OPERATOR)
def incident_acknowledge(request, access, incident):
    found = selectors.incident_get(access.team, incident)
    services.incident_acknowledge(access=access, user=request.user, incident=found)
    messages.success(request, _("Acknowledged: no more reminders for this incident."))
    return redirect("alert_incident", team=access.team.slug, incident=found.public_id)


@team_view(POST=Role.OPERATOR)
def incident_silence(request, access, incident):
    """Silence the incident's job under its rule (or the rule, for a credential's incident) until a time."""
    found = selectors.incident_get(access.team, incident)
    form = SilenceForm(request.POST)
    if form.is_valid():
        job = Job.objects.filter(pk=found.job_id, team=access.team).first() if found.job_id else None
        rule = found.rule if request.POST.get("scope") != "job" or job is None else None
        services.silence_create(
            access=access,
            user=request.user,
            rule=rule,
            job=job,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Silenced."))
        return redirect("alert_incident", team=access.team.slug, incident=found.public_id)
    return render(
        request,
        "alerts/incident_detail.html",
        _context(access, incident=found, deliveries=selectors.incident_deliveries(found), silence_form=form),
        status=400,
    )


# ------------------------------------------------------------------------------------------ rules


@team_view(GET=Role.VIEWER)
def rule_list(request, access):
    return render(request, "alerts/rule_list.html", _context(access, rules=selectors.rule_list(access.team)))


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def rule_edit(request, access, rule=None):
    instance = selectors.rule_get(access.team, rule) if rule else Rule(team=access.team)
    form = RuleForm(request.POST or None, instance=instance, team=access.team)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.tags = form.cleaned_data["tags"]
        services.rule_save(
            access=access,
            user=request.user,
            rule=saved,
            credentials=form.cleaned_data["credentials"],
            channels=form.cleaned_data["channels"],
        )
        messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
        return redirect("alert_rules", team=access.team.slug)
    return render(
        request,
        "alerts/rule_form.html",
        _context(access, form=form, rule=instance if instance.pk else None),
        status=400 if form.errors else 200,
    )


@team_view(POST=Role.LEAD)
def rule_delete(request, access, rule):
    found = selectors.rule_get(access.team, rule)
    services.rule_delete(access=access, user=request.user, rule=found)
    messages.success(request, _("Rule %(name)s deleted.") % {"name": found.name})
    return redirect("alert_rules", team=access.team.slug)


@team_view(POST=Role.OPERATOR)
def rule_silence(request, access, rule):
    found = selectors.rule_get(access.team, rule)
    if request.POST.get("lift"):
        services.rule_silence(access=access, user=request.user, rule=found, until=None)
        messages.success(request, _("The rule speaks again."))
    else:
        form = SilenceForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
            return redirect("alert_rules", team=access.team.slug)
        services.rule_silence(access=access, user=request.user, rule=found, until=form.cleaned_data["until"])
        messages.success(request, _("Rule silenced."))
    return redirect("alert_rules", team=access.team.slug)


# ------------------------------------------------------------------------------------------ channels


@team_view(GET=Role.VIEWER)
def channel_list(request, access):
    return render(
        request, "alerts/channel_list.html", _context(access, channels=selectors.channel_list(access.team))
    )


@team_view(GET=Role.VIEWER)
def channel_detail(request, access, channel):
    found = selectors.channel_get(access.team, channel)
    return render(
        request,
        "alerts/channel_detail.html",
        _context(access, channel=found, attempts=selectors.channel_deliveries(found)),
    )


@team_view(GET=Role.LEAD, POST=Role.LEAD)
def channel_edit(request, access, channel=None):
    instance = selectors.channel_get(access.team, channel) if channel else Channel(team=access.team)
    form = ChannelForm(request.POST or None, instance=instance, team=access.team)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.channel_save(
                access=access,
                user=request.user,
                channel=form.save(commit=False),
                url=form.cleaned_data.get("url") or "",
                signing_key=form.cleaned_data.get("signing_key") or "",
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Channel %(name)s saved.") % {"name": saved.name})
            return redirect("alert_channel", team=access.team.slug, channel=saved.public_id)
    return render(
        request,
        "alerts/channel_form.html",
        _context(access, form=form, channel=instance if instance.pk else None),
        status=400 if form.errors else 200,
    )


@team_view(POST=Role.LEAD)
def channel_delete(request, access, channel):
    found = selectors.channel_get(access.team, channel)
    services.channel_delete(access=access, user=request.user, channel=found)
    messages.success(request, _("Channel %(name)s deleted.") % {"name": found.name})
    return redirect("alert_channels", team=access.team.slug)


@team_view(POST=Role.LEAD)
def channel_test(request, access, channel):
    found = selectors.channel_get(access.team, channel)
    services.channel_test(access=access, user=request.user, channel=found)
    messages.info(request, _("A test message is on its way; its outcome appears below."))
    return redirect("alert_channel", team=access.team.slug, channel=found.public_id)


# ------------------------------------------------------------------------------------------ silences, maintenance


@team_view(GET=Role.VIEWER, POST=Role.LEAD)
def maintenance(request, access):
    form = MaintenanceForm(request.POST or None, team=access.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.maintenance_save(access=access, user=request.user, window=form.save(commit=False))
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Maintenance window saved."))
            return redirect("alert_maintenance", team=access.team.slug)
    return render(
        request,
        "alerts/maintenance.html",
        _context(
            access,
            form=form,
            windows=selectors.maintenance_list(access.team)[:100],
            silences=selectors.silence_list(access.team).filter(until__gt=timezone.now())[:100],
        ),
        status=400 if form.errors else 200,
    )


@team_view(POST=Role.LEAD)
def maintenance_delete(request, access, window):
    found = get_object_or_404(MaintenanceWindow.objects.filter(team=access.team), public_id=window)
    services.maintenance_delete(access=access, user=request.user, window=found)
    messages.success(request, _("Maintenance window deleted."))
    return redirect("alert_maintenance", team=access.team.slug)


@team_view(POST=Role.OPERATOR)
def silence_delete(request, access, silence):
    found = selectors.silence_get(access.team, silence)
    services.silence_delete(access=access, user=request.user, silence=found)
    messages.success(request, _("Silence lifted."))
    return redirect("alert_maintenance", team=access.team.slug)
