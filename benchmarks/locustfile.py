"""Load scenario: signed-in users browsing the job list, job details and the quota page.

Driven by ``bench_load.py`` (``LOAD_PLAN`` names a JSON file with the users and the pages to visit).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())
_USERNAMES = itertools.cycle(PLAN["users"])
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser(HttpUser):
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        username = next(_USERNAMES)
        page = self.client.get("/login/", name="login form")
        token = _CSRF.search(page.text).group(1)
        response = self.client.post(
            "/login/",
            {"username": username, "password": PLAN["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login failed for {username}: {response.status_code}")

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
