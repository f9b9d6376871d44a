"""Load: 50 signed-in users browse the job list, job details and the quota page while the poller
syncs 20,000 jobs (20 credentials of 1,000 jobs). Locust on loopback, bounded in users and time.

The stack is as deployed (``benchmarks._stack``: PostgreSQL and Redis when they answer, gunicorn, the
tables analysed after the load); the users sign in through the login form and the poller makes its
first pass before the measured window opens, so the window holds browsing, with the poller on its
schedule (jobs every 15 s, metrics every 30 s), from caches as cold as after a deploy.

BENCH lines: load.errors (count), load.rps, load.p50 and load.p99 (ms).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from benchmarks._stack import ROOT, Stack

USERS = int(os.environ.get("LOAD_USERS", "50"))
DURATION = os.environ.get("LOAD_DURATION", "45s")
JOBS, TENANTS = 20_000, 20
PASSWORD = "load-test-password-1"

SETUP = """
import json
from django.contrib.auth import get_user_model
from csapi.emulator.seed import scale_tenant
from dashboard.jobs.models import Job
from dashboard.polling.services import sync
from dashboard.teams.models import AuthType, Credential, Membership, Role, Team

team, _ = Team.objects.get_or_create(slug="load", defaults={"name": "Load"})
User = get_user_model()
users = []
for n in range(%(users)d):
    user, _ = User.objects.get_or_create(username=f"load{n:02d}")
    user.set_password(%(password)r)
    user.save()
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.LEAD})
    users.append(user.username)
for n in range(1, %(tenants)d + 1):
    t = scale_tenant(n)
    cred = Credential(team=team, name=f"scale-{n:02d}", region="cn-north-1", project_id=t.project_id,
                      cs_endpoint=%(url)r, iam_endpoint=%(url)r, vpc_endpoint=%(url)r,
                      auth_type=AuthType.PASSWORD, domain_name=t.domain, username=t.user)
    cred.set_secret(t.password)
    cred.save()
    for kind in ("jobs", "quotas"):
        result = sync(cred.id, kind)
        assert result.ok, result
jobs = list(Job.objects.filter(team=team).order_by("?").values_list("credential__public_id", "job_id")[:200])
print("PLAN" + json.dumps({
    "users": users, "password": %(password)r, "job_list": "/t/load/jobs/",
    "job_pages": 50, "quotas": "/t/load/quotas/",
    "job_details": [f"/t/load/jobs/{c}/{j}/" for c, j in jobs],
}))
"""

# The poller on its schedule: every credential's jobs each jobs interval, metrics each metrics interval.
# It touches %(polled)r once its first pass over both kinds is done: the measured window starts with
# the poller running as it has been in production, not with its first pass (the first figures of all
# 8,000 running jobs) at the same moment as the users' first requests.
POLLER = """
import pathlib, time
from django.conf import settings
from dashboard.polling.services import sync
from dashboard.teams.models import Credential
ids = list(Credential.objects.values_list("id", flat=True))
due = {"jobs": 0.0, "metrics": 0.0}
while True:
    for kind in due:
        if time.monotonic() >= due[kind]:
            due[kind] = time.monotonic() + settings.POLL_INTERVALS[kind]
            for cid in ids:
                sync(cid, kind)
    pathlib.Path(%(polled)r).touch()
    time.sleep(0.5)
"""


def _wait_for(path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the poller did not finish its first pass within {timeout} s")
        time.sleep(0.2)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _sign_in(url: str, username: str, password: str) -> tuple[str, str]:
    """One user signed in through the login form: the session cookie (name, value)."""
    with requests.Session() as session:
        form = session.get(f"{url}/login/", timeout=60)
        token = _CSRF.search(form.text).group(1)
        answer = session.post(
            f"{url}/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{url}/login/"},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"login failed for {username}: {answer.status_code}")
        name = "sessionid"
        return name, session.cookies[name]


def sign_in(url: str, usernames: list[str], password: str) -> list[tuple[str, str]]:
    """The users signed in before the measured window (the scenario is signed-in users browsing; a
    sign-in's password hash costs about a third of a second of CPU by design)."""
    with ThreadPoolExecutor(3) as pool:
        return list(pool.map(lambda name: _sign_in(url, name, password), usernames))


def run(report) -> None:
    with Stack("load", f"scale:{JOBS}:{TENANTS}") as stack:
        output = stack.python(
            SETUP % {"users": USERS, "password": PASSWORD, "tenants": TENANTS, "url": stack.emulator_url}
        )
        plan = json.loads(output.split("PLAN", 1)[1])
        stack.settle()
        url = stack.web(workers=3)
        polled = stack.dir / "polled"
        stack.start([sys.executable, "manage.py", "shell", "-c", POLLER % {"polled": str(polled)}])
        plan["sessions"] = sign_in(url, plan.pop("users"), plan.pop("password"))
        plan_file = stack.dir / "plan.json"
        plan_file.write_text(json.dumps(plan))
        _wait_for(polled)
        prefix = stack.dir / "load"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "-u",
                str(USERS),
                "-r",
                str(USERS),
                "-t",
                DURATION,
                "--host",
                url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            cwd=ROOT,
            env={**stack.env, "LOAD_PLAN": str(plan_file)},
            check=False,
            timeout=600,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(f"{prefix}_stats.csv") as fh:
            rows = {row["Name"]: row for row in csv.DictReader(fh)}
        total = rows["Aggregated"]
        for name in ("job list", "job list filtered", "job detail", "quota page"):
            if name in rows:
                print(
                    f"   {name:<20} {rows[name]['Request Count']:>6} req  p50 {rows[name]['50%']} ms  "
                    f"p99 {rows[name]['99%']} ms  failures {rows[name]['Failure Count']}"
                )
        report("load.errors", float(total["Failure Count"]), "count")
        report("load.rps", float(total["Requests/s"]), "req/s")
        report("load.p50", float(total["50%"]), "ms")
        report("load.p99", float(total["99%"]), "ms")


if __name__ == "__main__":
    from benchmarks.__main__ import report

    os.chdir(ROOT)
    run(report)
