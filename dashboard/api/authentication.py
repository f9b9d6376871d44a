"""API authentication: personal tokens (``Authorization: Bearer <token>`` or ``Token <token>``) and the
browser session (DRF's ``SessionAuthentication``, which enforces CSRF for signed-in sessions).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from dashboard.api.services import token_authenticate

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticate with a personal API token; ``request.auth`` is the :class:`ApiToken`."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'Bearer realm="{self.www_authenticate_realm}"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "dashboard.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from the 'API tokens' page: `Authorization: Bearer <token>` "
            "(`Token <token>` is accepted too).",
        }
