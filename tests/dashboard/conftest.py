"""Fixtures for the dashboard tests: snapshots filled by the poller's own sync from the emulator."""

from __future__ import annotations

import pytest
import requests


@pytest.fixture
def synced(cs_credential):
    """Team alpha's jobs, clusters, quotas and overview, synced from the emulator."""
    from dashboard.polling.services import sync

    for kind in ("jobs", "clusters", "quotas", "overview"):
        result = sync(cs_credential.pk, kind)
        assert result.ok, result
    return cs_credential


@pytest.fixture
def cs_requests(emulator):
    """Total requests the emulator has served so far (call it before and after an action)."""

    def count() -> int:
        stats = requests.get(f"{emulator.url}/_emulator/stats", timeout=5).json()
        return int(stats.get("total", sum(stats.get("operations", {}).values())))

    return count


@pytest.fixture
def throttle_rates(monkeypatch):
    """Set the API's write rates for one test (DRF reads them once, into the throttle classes)."""
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    from dashboard.api import throttling

    def set_rates(**rates):
        merged = {**SimpleRateThrottle.THROTTLE_RATES, **rates}
        for klass in (
            throttling.WriteRateThrottle,
            throttling.UserWriteRateThrottle,
            throttling.TeamWriteRateThrottle,
        ):
            monkeypatch.setattr(klass, "THROTTLE_RATES", merged)
        cache.clear()

    yield set_rates
    cache.clear()


@pytest.fixture
def worker_app(tmp_path, settings):
    """The project's Celery app with its configured broker (Redis when REDIS_URL is set; otherwise the
    filesystem transport, in a private folder so that a running development worker takes nothing)."""
    from dashboard.celery import app

    saved = dict(app.conf.broker_transport_options or {})
    if str(app.conf.broker_url).startswith("filesystem"):
        folder = tmp_path / "broker"
        (folder / "out").mkdir(parents=True)
        (folder / "processed").mkdir()
        (folder / "control").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
        _reset_pool(app)
    yield app
    app.conf.broker_transport_options = saved
    _reset_pool(app)


def _reset_pool(app) -> None:
    """Forget broker connections made with other transport options (a new pool is made on demand)."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None  # it holds the closed connection pool otherwise
    from kombu import pools

    pools.reset()  # kombu's process-wide pools keep the closed pools too
