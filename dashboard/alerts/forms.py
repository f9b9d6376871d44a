"""Forms of the alerts pages, also used by the API (the same rules refuse the same input)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.alerts import channels as ch
from dashboard.alerts.models import (
    JOB_KINDS,
    KIND_PARAMETER,
    Channel,
    ChannelKind,
    MaintenanceWindow,
    Rule,
    RuleKind,
)
from dashboard.teams.models import Credential

MAX_MINUTES = 7 * 24 * 60
MAX_BUDGET = 1e9


class _UUIDChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class RuleForm(forms.ModelForm):
    tags = forms.CharField(
        label=_("tags"),
        required=False,
        max_length=500,
        help_text=_('Comma-separated "key=value" or "key" entries; a job must carry all of them.'),
    )
    credentials = _UUIDChoices(
        queryset=Credential.objects.none(), to_field_name="public_id", required=False, label=_("credentials")
    )
    channels = _UUIDChoices(
        queryset=Channel.objects.none(), to_field_name="public_id", required=False, label=_("channels")
    )
    minutes = forms.IntegerField(label=_("minutes"), required=False, min_value=1, max_value=MAX_MINUTES)
    percent = forms.FloatField(label=_("percent of the quota"), required=False, min_value=1, max_value=100)
    budget = forms.FloatField(
        label=_("budget of the day"), required=False, min_value=0.01, max_value=MAX_BUDGET
    )
    repeat_minutes = forms.IntegerField(
        label=_("remind every (minutes)"), min_value=0, max_value=MAX_MINUTES, initial=60
    )

    class Meta:
        model = Rule
        fields = [
            "name",
            "kind",
            "severity",
            "enabled",
            "minutes",
            "percent",
            "budget",
            "all_jobs",
            "credentials",
            "name_pattern",
            "tags",
            "repeat_minutes",
            "channels",
        ]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["credentials"].queryset = Credential.objects.filter(team=team)
        self.fields["channels"].queryset = Channel.objects.filter(team=team)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(self.instance.tags or [])
            self.initial["credentials"] = [c.public_id for c in self.instance.credentials.all()]
            self.initial["channels"] = [c.public_id for c in self.instance.channels.all()]

    def clean_tags(self) -> list[str]:
        entries = [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]
        for entry in entries:
            key = entry.partition("=")[0].strip()
            if not key or len(entry) > 128:
                raise ValidationError(
                    _("“%(entry)s” is not a tag: write key=value or key."), params={"entry": entry[:60]}
                )
        return entries

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        taken = Rule.objects.filter(team=self.team, name=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This team already has a rule of that name."))
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = KIND_PARAMETER.get(kind)
        for parameter in ("minutes", "percent", "budget"):
            if parameter == needed:
                if data.get(parameter) is None and parameter not in self.errors:
                    self.add_error(parameter, _("This rule needs a value here."))
            else:
                data[parameter] = None
        if not data.get("all_jobs"):
            scoped = bool(data.get("credentials"))
            if kind in JOB_KINDS:
                scoped = scoped or bool(data.get("name_pattern")) or bool(data.get("tags"))
            if not scoped:
                self.add_error(
                    "credentials",
                    _("Choose all jobs, or at least one credential, job name pattern or tag.")
                    if kind in JOB_KINDS
                    else _("Choose all credentials, or at least one."),
                )
        if kind not in JOB_KINDS:
            data["name_pattern"], data["tags"] = "", []
        return data


class ChannelForm(forms.ModelForm):
    url = forms.CharField(
        label=_("URL"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "The webhook or robot URL. It holds the robot's token: stored encrypted, never shown again."
        ),
    )
    signing_key = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Webhook: the HMAC-SHA256 key (16 characters or more). DingTalk: the robot's SEC… secret, if it signs."
        ),
    )

    class Meta:
        model = Channel
        fields = ["name", "kind", "enabled", "emails", "url", "signing_key"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Channel.objects.filter(team=self.team, name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("This team already has a channel of that name."))
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        url = (data.get("url") or "").strip()
        key = data.get("signing_key") or ""
        stored_kind = Channel.objects.filter(pk=self.instance.pk).values_list("kind", flat=True).first()
        if kind == ChannelKind.EMAIL:
            try:
                data["emails"] = ", ".join(ch.validate_emails(data.get("emails") or ""))
            except ValidationError as exc:
                self.add_error("emails", exc)
            data["url"], data["signing_key"] = "", ""
            return data
        data["emails"] = ""
        if kind in ch.URL_KINDS:
            if not url and (self.instance.pk is None or stored_kind != kind):
                self.add_error("url", _("Enter the URL messages are sent to."))
            elif url:
                try:
                    data["url"] = ch.validate_target(kind, url, key)
                except ValidationError as exc:
                    self.add_error("url", exc)
            if kind == ChannelKind.WEBHOOK and (url or self.instance.pk is None) and len(key) < 16:
                self.add_error("signing_key", _("Enter a signing secret of at least 16 characters."))
        return data


class SilenceForm(forms.Form):
    until = forms.DateTimeField(label=_("until"))
    reason = forms.CharField(label=_("reason"), required=False, max_length=255)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise ValidationError(_("Choose a time in the future."))
        if until > timezone.now() + timezone.timedelta(days=90):
            raise ValidationError(_("Silence for 90 days at most."))
        return until


class MaintenanceForm(forms.ModelForm):
    credential = forms.ModelChoiceField(
        queryset=Credential.objects.none(),
        to_field_name="public_id",
        required=False,
        label=_("credential"),
        empty_label=_("All credentials"),
    )

    class Meta:
        model = MaintenanceWindow
        fields = ["name", "starts_at", "ends_at", "credential"]

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = Credential.objects.filter(team=team)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))
        return data


__all__ = ["ChannelForm", "MaintenanceForm", "RuleForm", "RuleKind", "SilenceForm"]
