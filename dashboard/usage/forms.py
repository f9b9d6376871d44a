"""The user quota form (5.3.16): rules from ``csapi.validation``, plus "not below what is in use"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from csapi import limits, validation
from dashboard.clusters.forms import add_violations, interpolate_lazy
from dashboard.usage.services import quota_below_use_message


class QuotaForm(forms.Form):
    spu_quota = forms.IntegerField(
        label=_("SPU quota"),
        required=True,
        help_text=interpolate_lazy(
            _("%(min)s to %(max)s SPUs, not below what the user uses."),
            {"min": limits.USER_SPU_QUOTA_MIN, "max": f"{limits.USER_SPU_QUOTA_MAX:,}"},
        ),
    )
    clusters = forms.TypedMultipleChoiceField(
        label=_("Clusters"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The exclusive clusters the user may run jobs in."),
    )

    def __init__(self, *args, spu_used: int = 0, cluster_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.spu_used = spu_used or 0
        self.fields["clusters"].choices = [(str(cid), f"{name} ({cid})") for cid, name in cluster_choices]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        body = {"spu_quota": cleaned.get("spu_quota"), "clusters": cleaned.get("clusters", [])}
        add_violations(self, validation.validate_user_quota(body))
        if "spu_quota" not in self.errors:
            message = quota_below_use_message(self.spu_used, cleaned.get("spu_quota"))
            if message:
                self.add_error("spu_quota", message)
        return cleaned
