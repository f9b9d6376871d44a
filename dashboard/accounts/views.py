"""A person's settings (language, time zone) and the language switch of the page header."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard import timefmt
from dashboard.accounts import zones
from dashboard.accounts.forms import ProfileForm
from dashboard.accounts.middleware import preferences_of
from dashboard.accounts.models import Profile

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _set_language_cookie(response, language: str) -> None:
    """The language cookie, which the language middleware reads before anyone signs in."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def profile_save(user, **values: str) -> Profile:
    """Create the user's profile on first use and store ``values`` (language, time_zone)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    for name, value in values.items():
        setattr(profile, name, value)
    profile.updated_at = timezone.now()
    profile.save()
    return profile


@require_POST
def language_switch(request):
    """The header's language switch: remembered in the profile (signed in) and in a cookie (always)."""
    language = request.POST.get("language", "")
    if language not in _LANGUAGES:
        language = ""
    if request.user.is_authenticated:
        profile_save(request.user, language=language)
    if language:
        translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request, "/"))
    _set_language_cookie(response, language)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def profile(request):
    language, own_zone, team_zone = preferences_of(request.user)
    default_zone = team_zone or settings.DEFAULT_USER_TIME_ZONE
    form = ProfileForm(
        request.POST or None,
        default_zone=default_zone,
        initial={"language": language, "time_zone": own_zone},
    )
    if request.method == "POST" and form.is_valid():
        chosen_language = form.cleaned_data["language"]
        chosen_zone = form.cleaned_data["time_zone"]
        profile_save(request.user, language=chosen_language, time_zone=chosen_zone)
        translation.activate(chosen_language or translation.get_language_from_request(request))
        messages.success(request, _("Your settings are saved."))
        response = redirect("profile")
        _set_language_cookie(response, chosen_language)
        return response
    now = timezone.localtime(timezone.now())
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "now": now,
            "zone_description": timefmt.zone_description(now),
            "zone_name": timezone.get_current_timezone_name(),
            "zones_count": len(zones.available()),
        },
    )
