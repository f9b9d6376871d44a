from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _

from dashboard.teams.models import ActionLog, Credential, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["team", "user", "role"]
    list_filter = ["role", "team"]
    search_fields = ["team__name", "user__username"]
    autocomplete_fields = ["user", "team"]


class CredentialAdminForm(forms.ModelForm):
    """The secret is write-only here too: never rendered, empty keeps the stored value."""

    secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="IAM password or SK. Never shown; leave empty to keep the stored secret.",
    )

    class Meta:
        model = Credential
        fields = [
            "team",
            "name",
            "region",
            "project_id",
            "auth_type",
            "domain_name",
            "username",
            "access_key",
            "cs_endpoint",
            "iam_endpoint",
            "vpc_endpoint",
            "needs_attention",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", _("A secret is required for a new credential."))
        return cleaned

    def save(self, commit=True):
        credential = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            credential.set_secret(self.cleaned_data["secret"])
        if commit:
            credential.save()
        return credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "team",
        "region",
        "project_id",
        "auth_type",
        "last_verified_at",
        "needs_attention",
    ]
    list_filter = ["auth_type", "needs_attention", "region"]
    search_fields = ["name", "team__name", "project_id"]
    readonly_fields = ["public_id", "secret_updated_at", "last_verified_at", "last_error", "created_at"]


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "user", "action", "target_name", "outcome"]
    list_filter = ["outcome", "action", "team"]
    search_fields = ["target_name", "target_id", "user__username"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
