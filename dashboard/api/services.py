"""Token services: create (the raw token is returned once and never stored) and revoke."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.api.models import PREFIX_LENGTH, ApiToken, generate_token, token_digest

#: A user may hold this many active tokens.
MAX_ACTIVE_TOKENS = 50
#: ``last_used_at`` is written at most this often per token (keeps reads free of writes).
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the saved row and the raw token, which is never retrievable again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if ApiToken.objects.for_user(user).active().count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": _("You already have %(count)d tokens; revoke one first.") % {"count": MAX_ACTIVE_TOKENS}}
        )
    raw = generate_token()
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[:PREFIX_LENGTH], digest=token_digest(raw)
    )
    return token, raw


def token_revoke(*, user, public_id) -> ApiToken:
    """Revoke one of ``user``'s tokens (404 for anyone else's). Revoking twice is harmless."""
    token = ApiToken.objects.for_user(user).filter(public_id=public_id).first()
    if token is None:
        raise Http404("No such token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token matching ``raw`` with its user, marking it used; None when there is none."""
    if not raw:
        return None
    token = ApiToken.objects.active().select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
