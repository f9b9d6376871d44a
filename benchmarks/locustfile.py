"""Load scenario: signed-in users browsing the job list, job details and the quota page.

Driven by ``bench_load.py`` (``LOAD_PLAN`` names a JSON file with the users' session cookies, signed in
through the login form before the measured window, and the pages to visit).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
_SESSIONS = itertools.cycle(PLAN["sessions"])


class Browser(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        name, value = next(_SESSIONS)
        self.client.cookies.set(name, value)

    @task(5)
    def job_list(self) -> None:
        page = random.randint(1, PLAN["job_pages"])
        self.client.get(f"{PLAN['job_list']}?page={page}", name="job list")

    @task(2)
    def job_list_filtered(self) -> None:
        status = random.choice(["job_running", "job_cancel_success", "job_submit_fail"])
        self.client.get(f"{PLAN['job_list']}?status={status}&sort=-start_time", name="job list filtered")

    @task(4)
    def job_detail(self) -> None:
        self.client.get(random.choice(PLAN["job_details"]), name="job detail")

    @task(1)
    def quotas(self) -> None:
        self.client.get(PLAN["quotas"], name="quota page")
