"""Personal API tokens.

A token is a random string (``csd_`` + 32 random bytes, URL-safe) shown to its owner once, when it
is created. Only its sha256 digest is stored: a token has 256 bits of entropy, so a fast hash is
enough (no password-style stretching needed) and lookups stay a single indexed query. The first
characters (``prefix``) are kept in clear so the owner can tell tokens apart on the settings page.

A token acts as its user: it grants exactly the roles the user holds at the time of each request,
never more.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "csd_"  # noqa: S105 - a marker, not a secret
#: Characters of the token kept in clear for identification (the ``csd_`` marker and 8 more).
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user) -> ApiTokenQuerySet:
        return self.filter(user=user)


class ApiToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False, help_text="sha256 of the token.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def __repr__(self) -> str:
        return f"<ApiToken {self.public_id} {self.prefix}…>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
