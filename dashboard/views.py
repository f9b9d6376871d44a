"""Project-level views: health."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    from dashboard.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=True)
        return False


def _polling() -> dict | None:
    """Poll freshness. A CS outage leaves the dashboard usable (stale snapshots are shown flagged), so
    only a poller that attempts nothing at all (worker or beat down) fails the check."""
    from dashboard.polling.selectors import poller_status

    try:
        return poller_status()
    except Exception:
        logger.warning("healthz: poll status unavailable", exc_info=True)
        return None


@require_safe
@never_cache
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    polling = _polling() if checks["database"] else None
    checks["poller"] = bool(polling and polling["alive"])
    ok = all(checks.values())
    body = {"status": "ok" if ok else "degraded", "checks": checks, "polling": polling}
    return JsonResponse(body, status=200 if ok else 503)
