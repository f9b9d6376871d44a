"""Request guards that run before any view or parser reads the request body."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``MAX_REQUEST_BODY_BYTES`` before it is read.

    The largest legitimate body is a JAR job form (a JAR and a configuration file of at most 8 MB
    each, reference 5.1.7) or a hosts file; anything larger is refused at once with 413, so an
    oversized upload costs neither memory nor disk.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(declared)
        except ValueError:
            size = -1
        limit = settings.MAX_REQUEST_BODY_BYTES
        if size < 0 or size > limit:
            message = (
                "The request is malformed."
                if size < 0
                else f"The upload is too large: at most {limit // (1024 * 1024)} MB can be sent at once."
            )
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "request_too_large", "message": message, "detail": None},
                    status=413 if size >= 0 else 400,
                )
            return HttpResponse(message, status=413 if size >= 0 else 400, content_type="text/plain")
        return self.get_response(request)


class StripNulFromQueryMiddleware:
    """Remove NUL characters from query parameters before any view reads them.

    No filter, search or page number legitimately holds one, and PostgreSQL refuses text containing
    NUL, so a crafted ``?q=%00`` would otherwise fail a page instead of matching nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "") or any("\x00" in v for v in request.GET.values()):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(key, [value.replace("\x00", "") for value in cleaned.getlist(key)])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)
