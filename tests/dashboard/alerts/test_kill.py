"""A real Celery worker killed (SIGKILL) in the middle of a delivery, then restarted: the message is
delivered, once. The claim of the killed worker runs out, the sweep marks that attempt interrupted and
the restarted worker sends again under the same idempotency key, so the receiver, which keeps messages
by their ``X-CSDash-Delivery`` key as the webhook contract asks, holds exactly one message.

The worker runs on a private Redis server and a scratch database (the helpers of the poller's kill
tests); the receiver is a local HTTP server that holds the first request long enough to kill the
worker while it waits for the answer.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from benchmarks.bench_poll_scaleout import celery_worker
from tests.dashboard import test_process_faults as faults
from tests.dashboard.alerts.receivers import HttpReceiver
from tests.dashboard.polling import test_kill as kill

scratch_database_url = kill.scratch_database_url
private_redis = faults.private_redis

SETUP = """
from dashboard.alerts.models import Channel, Notification
from dashboard.alerts.tasks import deliver_notification
from dashboard.teams.models import Team
team = Team.objects.create(name="Kill", slug="kill")
channel = Channel(team=team, name="hook", kind="webhook")
channel.set_secrets(url={url!r}, signing_key="kill-test-signing-key-1234")
channel.save()
n = Notification.objects.create(key="a-kill-test-1", team=team, channel=channel, payload={{"team": {{"slug": "kill", "name": "Kill"}}, "test": True, "generated_at": "now"}})
deliver_notification.delay(n.pk)
print(n.pk)
"""

SWEEP = "from dashboard.alerts.tasks import sweep; sweep.delay(); print('ok')"

STATE = """
import json
from dashboard.alerts.models import DeliveryAttempt, Notification
n = Notification.objects.get()
print(json.dumps({"state": n.state, "attempts": n.attempts,
                  "log": list(DeliveryAttempt.objects.order_by("number").values_list("ok", flat=True))}))
"""


@pytest.mark.celery_worker
def test_killed_worker_mid_delivery_delivers_once(scratch_database_url, private_redis, tmp_path):
    receiver = HttpReceiver(delay=30)
    try:
        env = kill._env(scratch_database_url, tmp_path / "var")
        env.update(
            REDIS_URL=private_redis.url,
            OUTBOUND_ALLOWED_HOSTS=receiver.netloc,
            ALERT_DELIVERY_LEASE="12",
            ALERT_SWEEP_GRACE="0",
        )
        kill._manage(env, "migrate", "--run-syncdb", "--noinput", "-v", "0")
        kill._manage(env, "createcachetable")
        log = tmp_path / "worker.log"
        worker = celery_worker(env, log)
        try:
            kill._shell(env, SETUP.format(url=f"{receiver.url}/hook"))
            faults._wait(lambda: len(receiver.requests) == 1, 60, "the first delivery", worker, log)
            os.killpg(worker.pid, signal.SIGKILL)  # killed while it waits for the receiver's answer
        finally:
            worker.wait(timeout=30)
        receiver.delay = 0
        state = json.loads(kill._shell(env, STATE))
        assert state["state"] == "sending" and state["log"] == [None], state

        worker = celery_worker(env, log)
        try:
            time.sleep(13)  # the killed worker's claim runs out
            kill._shell(env, SWEEP)
            faults._wait(
                lambda: json.loads(kill._shell(env, STATE))["state"] == "sent", 60, "the resend", worker, log
            )
            time.sleep(2)  # a second copy, if one were coming, would arrive now
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        state = json.loads(kill._shell(env, STATE))
        assert state == {"state": "sent", "attempts": 2, "log": [False, True]}, state
        keys = [r.headers["x-csdash-delivery"] for r in receiver.requests]
        assert keys == ["a-kill-test-1", "a-kill-test-1"]  # the interrupted try, then the resend
        assert len(set(keys)) == 1  # one message for the receiver
        assert receiver.requests[0].json == receiver.requests[1].json  # the same words
    finally:
        receiver.close()
