from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from dashboard.teams.models import AuthType, Credential, Role, Service, Team

REGION_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+){1,3}$")
PROJECT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
IAM_NAME_RE = re.compile(r"^[^\s/\\]{1,64}$")


class TeamCreateForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if not name:
            raise forms.ValidationError(_("Give the team a name."))
        if Team.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A team with this name already exists."))
        return name


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, strip=True)
    role = forms.TypedChoiceField(choices=Role.choices, coerce=int, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.TypedChoiceField(choices=Role.choices, coerce=int)


class CredentialForm(forms.ModelForm):
    """Credential fields; the secret is write-only (never rendered back, empty on edit keeps it)."""

    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("IAM password or secret access key (SK). Stored encrypted and never shown again."),
    )

    cs_endpoint = forms.URLField(
        label=_("CS endpoint"),
        required=False,
        max_length=255,
        assume_scheme="https",
        help_text=_("CS credentials. Leave empty for https://cs.{region}.myhuaweicloud.com"),
    )
    dli_endpoint = forms.URLField(
        label=_("DLI endpoint"),
        required=False,
        max_length=255,
        assume_scheme="https",
        help_text=_("DLI credentials. Leave empty for https://dli.{region}.myhuaweicloud.com"),
    )
    iam_endpoint = forms.URLField(
        label=_("IAM endpoint"),
        required=False,
        max_length=255,
        assume_scheme="https",
        help_text=_("Leave empty for https://iam.{region}.myhuaweicloud.com"),
    )
    vpc_endpoint = forms.URLField(
        label=_("VPC endpoint"),
        required=False,
        max_length=255,
        assume_scheme="https",
        help_text=_(
            "CS credentials (cluster peering). Leave empty for https://vpc.{region}.myhuaweicloud.com"
        ),
    )

    class Meta:
        model = Credential
        fields = [
            "name",
            "service",
            "region",
            "project_id",
            "auth_type",
            "domain_name",
            "username",
            "access_key",
            "cs_endpoint",
            "dli_endpoint",
            "iam_endpoint",
            "vpc_endpoint",
        ]

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["service"].widget = forms.RadioSelect(choices=self.fields["service"].choices)
        self.fields["service"].required = False
        self.fields["service"].help_text = _(
            "Cloud Stream Service (API v1.0) or its successor, Data Lake Insight's Flink jobs."
        )
        if self.instance.pk:
            self.fields["secret"].help_text = _("Leave empty to keep the stored secret.")
            # The jobs, queues and history of a credential belong to its service: another service
            # is another credential.
            self.fields["service"].disabled = True
            self.fields["service"].help_text = _(
                "A credential keeps its service; add another credential for the other service."
            )
        for name in ("cs_endpoint", "dli_endpoint", "iam_endpoint", "vpc_endpoint"):
            # Plain http and local addresses only for the administrator's OUTBOUND_ALLOWED_HOSTS
            # (the emulator); the clients check again when connecting (csapi.netguard).
            self.fields[name].validators = [URLValidator(schemes=["http", "https"])]

    def _clean_endpoint(self, name: str, what: str, paths=("",)) -> str:
        from csapi import CSEndpointRefused, check_endpoint
        from dashboard.teams.cs import outbound_policy

        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return ""
        try:
            return check_endpoint(value, outbound_policy(), what=what, paths=paths).rstrip("/")
        except CSEndpointRefused as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_cs_endpoint(self) -> str:
        return self._clean_endpoint("cs_endpoint", "CS endpoint")

    def clean_service(self) -> str:
        # Left unchosen, a new credential speaks CS (the field's default); an existing one keeps its own.
        return self.cleaned_data.get("service") or self.instance.service or Service.CS

    def clean_dli_endpoint(self) -> str:
        return self._clean_endpoint("dli_endpoint", "DLI endpoint")

    def clean_iam_endpoint(self) -> str:
        return self._clean_endpoint("iam_endpoint", "IAM endpoint", paths=("", "/v3"))

    def clean_vpc_endpoint(self) -> str:
        return self._clean_endpoint("vpc_endpoint", "VPC endpoint")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Credential.objects.for_team(self.team).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This team already has a credential with this name."))
        return name

    def clean_region(self) -> str:
        region = self.cleaned_data["region"].strip()
        if not REGION_RE.match(region):
            raise forms.ValidationError(_("Enter a region id such as cn-north-1 or ap-southeast-1."))
        return region

    def clean_project_id(self) -> str:
        project_id = self.cleaned_data["project_id"].strip()
        if not PROJECT_ID_RE.match(project_id):
            raise forms.ValidationError(
                _("A project id is 1-64 letters, digits, '-' or '_' (see “Obtaining a Project ID”).")
            )
        return project_id

    def clean(self):
        cleaned = super().clean()
        self._check_service_endpoint(cleaned)
        auth_type = cleaned.get("auth_type")
        if auth_type == AuthType.PASSWORD:
            for field in ("domain_name", "username"):
                value = (cleaned.get(field) or "").strip()
                if not value:
                    self.add_error(field, _("Required for IAM password authentication."))
                elif not IAM_NAME_RE.match(value):
                    self.add_error(field, _("1-64 characters, without spaces or slashes."))
        elif auth_type == AuthType.AKSK:
            ak = (cleaned.get("access_key") or "").strip()
            if not re.fullmatch(r"[A-Za-z0-9]{8,128}", ak):
                self.add_error("access_key", _("An access key id is 8-128 letters and digits."))
        secret = cleaned.get("secret") or ""
        if not secret and not self.instance.pk:
            self.add_error("secret", _("Enter the secret (password or SK) for this credential."))
        elif not secret:
            moved = [self.fields[f].label for f in Credential.SECRET_BOUND_FIELDS if f in self.changed_data]
            if moved:
                self.add_error(
                    "secret",
                    _(
                        "You changed %(fields)s: enter the secret (password or SK) again, so that it only "
                        "goes where its owner meant it to."
                    )
                    % {"fields": ", ".join(str(m) for m in moved)},
                )
        return cleaned

    def _check_service_endpoint(self, cleaned) -> None:
        """An endpoint of the other service's public name (``cs.`` for DLI, ``dli.`` for CS) is a mix-up."""
        from urllib.parse import urlsplit

        service = cleaned.get("service")
        field, other, other_label = (
            ("dli_endpoint", "cs", "CS") if service == Service.DLI else ("cs_endpoint", "dli", "DLI")
        )
        value = cleaned.get(field) or ""
        host = (urlsplit(value).hostname or "") if value else ""
        if host.startswith(f"{other}.") and host.endswith(".myhuaweicloud.com"):
            self.add_error(
                field,
                _(
                    "%(host)s is %(other)s's endpoint, not this service's: choose %(other)s as the service, "
                    "or enter this service's endpoint."
                )
                % {"host": host, "other": other_label},
            )


class ObsBucketsForm(forms.Form):
    buckets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("OBS bucket names, one per line or separated by commas."),
    )

    def clean_buckets(self) -> list[str]:
        from csapi.validation import validate_obs_buckets

        names = [b.strip() for b in re.split(r"[\s,]+", self.cleaned_data["buckets"]) if b.strip()]
        violations = validate_obs_buckets(names)
        if violations:
            raise forms.ValidationError(violations[0].message)
        return names
