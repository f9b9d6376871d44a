"""The settings page's form: language and time zone."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard import timefmt
from dashboard.accounts import zones


def _zone_choices(default_label: str) -> list[tuple[str, str]]:
    return [("", default_label)] + [(name, name.replace("_", " ")) for name in zones.available()]


class ProfileForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("The language of every page. “Browser's language” follows your browser's setting."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Every time on the dashboard is shown in this zone, with the zone named."),
    )

    def __init__(self, *args, default_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Browser's language"))] + [
            (code, name) for code, name in settings.LANGUAGES
        ]
        now = timezone.localtime(timezone.now(), zones.get(default_zone))
        label = _("Team default (%(zone)s)") % {"zone": timefmt.zone_description(now)}
        self.fields["time_zone"].choices = _zone_choices(label)
