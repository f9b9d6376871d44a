"""Speak to each person in their language and show times in their time zone.

Django's ``LocaleMiddleware`` (earlier in the chain) has already picked the language of the language
cookie or the browser (Accept-Language); here the signed-in user's own choice (their profile) wins,
and the time zone is activated: the profile's, else their team's default, else
``DEFAULT_USER_TIME_ZONE``. The preferences come with the user's row (``dashboard.teams.auth``), so this
costs no query of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from dashboard.accounts import zones
from dashboard.teams.auth import PREFERENCES_ATTR


def preferences_of(user) -> tuple[str, str, str]:
    """(language, time zone, team time zone) of ``user``, each "" when not set."""
    found = getattr(user, PREFERENCES_ATTR, None)
    if found is None:  # a user loaded some other way (another backend): one query
        from dashboard.accounts.models import Profile
        from dashboard.teams.models import Membership

        profile = Profile.objects.filter(user_id=user.pk).values_list("language", "time_zone").first()
        team_zone = (
            Membership.objects.filter(user_id=user.pk, team__time_zone__gt="")
            .order_by("created_at", "id")
            .values_list("team__time_zone", flat=True)
            .first()
        )
        found = (*(profile or ("", "")), team_zone or "")
        try:
            setattr(user, PREFERENCES_ATTR, found)
        except AttributeError:
            pass
    return found


_LANGUAGES = frozenset(code for code, _ in settings.LANGUAGES)


class PreferencesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = settings.DEFAULT_USER_TIME_ZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language, own_zone, team_zone = preferences_of(user)
            if language in _LANGUAGES and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
            zone = own_zone or team_zone or zone
        timezone.activate(zones.get(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
