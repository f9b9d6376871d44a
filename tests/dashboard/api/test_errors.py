"""The one error shape: CS failures mapped to statuses, no secrets in any answer."""

from __future__ import annotations

import pytest

import csapi
from dashboard.api.exceptions import cs_error_response


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (csapi.CSTimeout("timed out"), 503, "cs_unavailable"),
        (csapi.CSUnavailable("refused"), 503, "cs_unavailable"),
        (csapi.CSRateLimited(http_status=429, retry_after=2.5), 429, "cs_rate_limited"),
        (csapi.CSNotFound(http_status=404, code="CS.12001"), 404, "cs_not_found"),
        (csapi.CSValidationError(http_status=400, code="CS.11004"), 400, "cs_invalid"),
        (csapi.CSQuotaExceeded(http_status=400), 409, "cs_quota_exceeded"),
        (csapi.CSConflict(http_status=400), 409, "cs_conflict"),
        (csapi.CSAuthError(http_status=401), 502, "cs_auth_failed"),
        (csapi.CSServerError(http_status=500), 502, "cs_error"),
        (csapi.CSServerError(http_status=400, code="CS.21011"), 409, "cs_rejected"),
    ],
)
def test_cs_errors_map_to_statuses(exc, status, code):
    response = cs_error_response(exc)
    assert response.status_code == status
    assert response.data["code"] == code and response.data["message"]
    assert set(response.data["cs"]) == {"code", "description", "solution", "cause"}
    if status == 429:
        assert response["Retry-After"] == "3"


@pytest.mark.django_db
def test_no_secret_in_any_read(roles, api, synced):
    from dashboard.api.models import ApiToken

    secret = synced.get_secret()
    client = api(roles.lead, token=True)
    raw_header = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    digest = ApiToken.objects.get(user=roles.lead).digest
    urls = [
        "/api/v1/teams/",
        "/api/v1/teams/alpha/",
        "/api/v1/teams/alpha/poll-health/",
        "/api/v1/teams/alpha/jobs/?page_size=200",
        "/api/v1/teams/alpha/clusters/",
        "/api/v1/teams/alpha/quotas/",
        "/api/v1/teams/alpha/overview/",
        "/api/v1/teams/alpha/templates/",
    ]
    from dashboard.jobs.models import Job

    for job in Job.objects.filter(team=roles.team).select_related("credential")[:5]:
        urls.append(f"/api/v1/teams/alpha/jobs/{job.credential.public_id}/{job.job_id}/")
    for url in urls:
        text = client.get(url).content.decode()
        for needle in (secret, raw_header, digest, synced.secret_encrypted):
            assert needle not in text, url
