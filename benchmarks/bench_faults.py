"""CS faults for a while (30 % 5xx, 2 s latency, 429 bursts, tokens expiring every minute, truncated
bodies), then healthy: what the dashboard lost or duplicated, and how long until it is current again.

BENCH lines: faults.lost, faults.duplicated (counts), faults.recovery (seconds).
"""

from __future__ import annotations

import json
import os

from benchmarks._stack import Stack

FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS", "120"))

SCENARIO = """
import json
from dataclasses import asdict
from django.contrib.auth import get_user_model
from django.test import Client
from csapi.emulator.testing import EmulatorServer
from benchmarks.fault_scenario import run_scenario
from dashboard.teams.models import AuthType, Credential, Membership, Role, Team

from django.conf import settings

with EmulatorServer(seed="demo") as server:
    # this emulator's loopback address is the one plain-http endpoint the scenario may call
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, server.url.split("://", 1)[1]]
    tenant = server.account
    team = Team.objects.create(name="Faults", slug="faults")
    viewer = get_user_model().objects.create_user("viewer")
    Membership.objects.create(team=team, user=viewer, role=Role.VIEWER)
    credential = Credential(team=team, name="emulator", region="cn-north-1", project_id=tenant.project_id,
                            cs_endpoint=server.url, iam_endpoint=server.url, vpc_endpoint=server.url,
                            auth_type=AuthType.PASSWORD, domain_name=tenant.domain, username=tenant.user)
    credential.set_secret(tenant.password)
    credential.save()
    client = Client()
    client.force_login(viewer)

    def get_page():
        response = client.get("/t/faults/jobs/")
        return response.status_code, response.content.decode()

    report = run_scenario(server, credential, fault_seconds=%(seconds)f, get_page=get_page)
    print("REPORT" + json.dumps(asdict(report)))
"""


def run(report) -> None:
    with Stack("faults", None) as stack:
        stack.env["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
        output = stack.python(SCENARIO % {"seconds": FAULT_SECONDS})
        result = json.loads(output.split("REPORT", 1)[1])
        print(
            f"   {result['cycles']} poll cycles under faults, {result['failed_syncs']} of {result['syncs']} syncs "
            f"failed, {result['actions']} actions by other users, pages {result['pages_ok']}/{result['pages']} "
            f"up, staleness shown {result['pages_stale_shown']} times ({result['pages_stale_expected']} "
            f"expected); {result['details']}"
        )
        report("faults.lost", float(result["lost"]), "count")
        report("faults.duplicated", float(result["duplicated"]), "count")
        report("faults.recovery", result["recovery"], "s")
