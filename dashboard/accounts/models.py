"""A person's own settings: the language and the time zone the dashboard speaks and shows times in.

A profile row exists only once someone saved a preference (the settings page or the language switch
creates it); until then the browser's language and the team's (else the site's) time zone apply.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    #: A code of ``settings.LANGUAGES``; empty: the browser's language (Accept-Language).
    language = models.CharField(_("language"), max_length=16, blank=True)
    #: An IANA zone name (``Asia/Shanghai``); empty: the team's default, else ``DEFAULT_USER_TIME_ZONE``.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser'}, {self.time_zone or 'default zone'})"
