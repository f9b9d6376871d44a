"""The "API tokens" settings page: create a named token (shown once), list tokens, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
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
    form = TokenCreateForm(request.POST or None)
    new_token = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            form = TokenCreateForm()
            status = 201
    tokens = ApiToken.objects.for_user(request.user)
    # The new token is rendered in this one response only (not stored, not redirected through the session).
    return render(
        request, "api/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}, status=status
    )


@require_POST
@login_required
def token_revoke(request, token):
    revoked = services.token_revoke(user=request.user, public_id=token)
    messages.success(request, f"Token {revoked.name} revoked.")
    return redirect("api_tokens")
