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
