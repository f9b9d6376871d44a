"""The "API tokens" settings page: create a named token (shown once), list tokens, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.api import services
from dashboard.api.models import ApiToken


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. 'deploy pipeline'.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def token_settings(request):
    """Create a token (POST, then a redirect: reloading shows it again, creates nothing), list tokens.

    The new token's value travels to the next page encrypted in the session and is removed from it
    when shown, so it is displayed exactly once and never stored in clear.
    """
    from dashboard.teams import crypto

    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            request.session[NEW_TOKEN_KEY] = crypto.encrypt(raw)
            return redirect("api_tokens")
    new_token = None
    stashed = request.session.pop(NEW_TOKEN_KEY, None)
    if stashed:
        try:
            new_token = crypto.decrypt(stashed)
        except crypto.SecretDecryptionError:
            new_token = None
    tokens = ApiToken.objects.for_user(request.user)
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
        status=400 if form.errors else 200,
    )


#: Where a new token waits, encrypted, for the page that shows it once.
NEW_TOKEN_KEY = "api-token-new"  # noqa: S105 - a session key, not a secret


@require_POST
@login_required
def token_revoke(request, token):
    revoked = services.token_revoke(user=request.user, public_id=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": revoked.name})
    return redirect("api_tokens")
