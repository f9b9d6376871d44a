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
                return JsonResponse({"code": "request_too_large", "message": message, "detail": None},
                                    status=413 if size >= 0 else 400)
            return HttpResponse(message, status=413 if size >= 0 else 400, content_type="text/plain")
        return self.get_response(request)
