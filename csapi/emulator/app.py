"""The emulator's WSGI application: routing, IAM tokens, AK/SK verification, faults, control API.

:class:`Emulator` owns all state (projects, tokens, id counters), the clock and the fault
configuration, and is itself a WSGI application. It serves every operation of the CS API reference
(plus ``POST /v3/auth/tokens`` and the two ``/v2.0/vpc`` operations on the same host) and a control
API under ``/_emulator`` for tests and benchmarks:

- ``GET /_emulator/state``: summary counts; ``POST /_emulator/reset`` (``{"seed": "demo"}``);
- ``GET|POST /_emulator/clock`` (``{"advance": seconds}``, ``{"set": epoch}``, ``{"speed": x}``);
- ``GET|POST|DELETE /_emulator/faults`` (see :mod:`csapi.emulator.faults`);
- ``GET /_emulator/stats`` and ``POST /_emulator/stats/reset``: requests counted per operation and path;
- ``POST /_emulator/tokens/expire``: every issued token expires now;
- ``GET /_emulator/tenants``: the seeded accounts (domain, user, password, project id, AK/SK).

DLI's Flink job operations (:mod:`csapi.emulator.dli`) are served on the same port, behind the same
authentication, clock, faults and counters; only their handlers live in their own module.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from csapi import auth as cs_auth
from csapi import validation

from . import dli
from . import seed as seeding
from .clock import Clock
from .errors import ApiError
from .faults import Faults
from .model import Project, User
from .service import ProjectOps

__all__ = ["Emulator", "TokenInfo"]

_MAX_BODY = 64 * 1024 * 1024
_JSON = "application/json;charset=UTF-8"


@dataclass
class TokenInfo:
    project_id: str
    user_id: str
    issued_at: float
    expires_at: float


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# (rule, methods, endpoint, project-scoped?)
_P = "/v1.0/<project_id>"
_RULES: list[tuple[str, list[str], str]] = [
    ("/v3/auth/tokens", ["POST"], "iam_token"),
    ("/versions", ["GET"], "versions"),
    (f"{_P}/user_register", ["POST"], "user_register"),
    (f"{_P}/obs_authorize", ["POST"], "obs_authorize"),
    (f"{_P}/overview", ["GET"], "overview"),
    (f"{_P}/sql_job", ["POST"], "create_sql_job"),
    (f"{_P}/sql_job", ["PATCH"], "update_sql_job"),
    (f"{_P}/jar_job", ["POST"], "create_jar_job"),
    (f"{_P}/jar_job", ["PATCH"], "update_jar_job"),
    (f"{_P}/job/<job_id>/run", ["POST"], "run_job"),
    (f"{_P}/job/run", ["POST"], "run_jobs"),
    (f"{_P}/jobs", ["GET"], "list_jobs"),
    (f"{_P}/job/<job_id>", ["GET"], "get_job"),
    (f"{_P}/job/<job_id>/execute_graph", ["GET"], "execute_graph"),
    (f"{_P}/audit_logs", ["GET"], "audit_logs"),
    (f"{_P}/jobs/metrics", ["POST"], "metrics"),
    (f"{_P}/job/<job_id>/apig_sinks", ["GET"], "apig_sinks"),
    (f"{_P}/job/<job_id>/stop", ["POST"], "stop_job"),
    (f"{_P}/job/stop", ["POST"], "stop_jobs"),
    (f"{_P}/job/<job_id>", ["DELETE"], "delete_job"),
    (f"{_P}/job", ["DELETE"], "delete_jobs"),
    (f"{_P}/job_template", ["POST"], "create_template"),
    (f"{_P}/job_template", ["PATCH"], "update_template"),
    (f"{_P}/job_template/<template_id>", ["DELETE"], "delete_template"),
    (f"{_P}/job_templates", ["GET"], "list_templates"),
    (f"{_P}/reserved_cluster", ["POST"], "create_cluster"),
    (f"{_P}/reserved_cluster/<cluster_id>", ["GET"], "get_cluster"),
    (f"{_P}/reserved_cluster/<cluster_id>", ["DELETE"], "delete_cluster"),
    (f"{_P}/reserved_clusters", ["GET"], "list_clusters"),
    (f"{_P}/reserved_cluster/<cluster_id>", ["PATCH"], "update_cluster"),
    (f"{_P}/reserved_cluster/<cluster_id>/stop", ["POST"], "stop_cluster"),
    (f"{_P}/reserved_cluster/<cluster_id>/restart", ["POST"], "restart_cluster"),
    (f"{_P}/reserved_cluster/<cluster_id>/jobs", ["GET"], "cluster_jobs"),
    (f"{_P}/reserved_cluster/<cluster_id>/hosts", ["POST"], "add_hosts"),
    (f"{_P}/reserved_cluster/<cluster_id>/hosts/<host_id>", ["PATCH"], "update_host"),
    (f"{_P}/reserved_cluster/<cluster_id>/hosts", ["GET"], "list_hosts"),
    (f"{_P}/reserved_cluster/<cluster_id>/hosts", ["DELETE"], "delete_hosts"),
    (f"{_P}/reserved_cluster/<cluster_id>/hosts_file", ["POST"], "add_hosts_file"),
    (f"{_P}/user_quotas", ["GET"], "list_quotas"),
    (f"{_P}/user_quota/<user_id>", ["GET"], "get_quota"),
    (f"{_P}/user_quota/<user_id>", ["PATCH"], "update_quota"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering", ["POST"], "create_peering"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering", ["GET"], "list_peerings"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering/<peering_id>", ["GET"], "get_peering"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering/<peering_id>", ["DELETE"], "delete_peering"),
    ("/v2.0/vpc/peerings/<peering_id>/accept", ["PUT"], "accept_peering"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering/<peering_id>/route", ["POST"], "create_local_route"),
    ("/v2.0/vpc/routes", ["POST"], "create_peer_route"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering/<peering_id>/route", ["GET"], "list_routes"),
    (f"{_P}/reserved_cluster/<cluster_id>/peering/<peering_id>/route/<route_id>", ["DELETE"], "delete_route"),
]

#: Operations whose malformed JSON body is answered with their own code instead of CS.10004.
_JSON_CODES = {
    "create_template": "CS.18004",
    "update_template": "CS.18004",
    "create_cluster": "CS.20002",
    "update_cluster": "CS.20002",
    "obs_authorize": "CS.19001",
}

_CONTROL_RULES = [
    ("/_emulator/state", ["GET"], "c_state"),
    ("/_emulator/reset", ["POST"], "c_reset"),
    ("/_emulator/clock", ["GET", "POST"], "c_clock"),
    ("/_emulator/faults", ["GET", "POST", "DELETE"], "c_faults"),
    ("/_emulator/stats", ["GET"], "c_stats"),
    ("/_emulator/stats/reset", ["POST"], "c_stats_reset"),
    ("/_emulator/tokens/expire", ["POST"], "c_expire_tokens"),
    ("/_emulator/tenants", ["GET"], "c_tenants"),
]


class _Reply:
    def __init__(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.status = status
        self.headers = headers or {}


class Emulator:
    """The CS emulator: state, clock, faults, and the WSGI application serving them."""

    def __init__(
        self,
        *,
        seed: str = "demo",
        clock: Clock | None = None,
        speed: float = 1.0,
        faults: Faults | None = None,
        account: dict[str, str] | None = None,
        state_file: str | None = None,
        failure_rate: float = 0.08,
        random_seed: int = 0,
        control: bool = False,
        services: tuple[str, ...] = ("cs", "dli"),
    ) -> None:
        # Lock order: a project's lock may be held while taking _id_lock, never self.lock; self.lock
        # (projects, tokens) is never held while waiting for a project's lock.
        self.lock = threading.RLock()
        self._id_lock = threading.Lock()
        self.clock = clock or Clock(speed=speed)
        self.faults = faults or Faults(seed=random_seed)
        self.account = dict(account or {})
        self.seed_spec = seed
        self.state_file = state_file
        #: The /_emulator control API (state, reset, clock, faults, stats, tenants' logins) answers
        #: only when switched on: the tests and benchmarks turn it on, `make run` leaves it off.
        self.control = bool(control)
        #: The APIs this emulator answers: CS's, DLI's or both (the default). One service alone stands
        #: for a real endpoint (cs.{region} or dli.{region}): the other's paths answer 404 as unknown.
        unknown = set(services) - {"cs", "dli"}
        if unknown or not services:
            raise ValueError(f"services are 'cs' and/or 'dli', not {sorted(unknown) or 'none'}")
        self.services = tuple(services)
        self.failure_rate = float(failure_rate)
        self.random_seed = int(random_seed)
        self.projects: dict[str, Project] = {}
        self.tokens: dict[str, TokenInfo] = {}
        self.tenants: list[seeding.Tenant] = []
        self.counters: dict[str, int] = {}
        self._outcomes: deque[str] = deque()
        self._ak_index: dict[str, tuple[str, str]] = {}
        self._stats_ops: Counter[str] = Counter()
        self._stats_paths: Counter[str] = Counter()
        self._stats_lock = threading.Lock()
        self.dirty = False
        # IAM's token operation is on every host (the IAM endpoint may be the same emulator).
        served = [rule for rule in _RULES if "cs" in self.services or rule[2] == "iam_token"]
        served += dli.RULES if "dli" in self.services else []
        self.url_map = Map(
            [Rule(r, methods=m, endpoint=e) for r, m, e in served + _CONTROL_RULES],
            strict_slashes=False,
            merge_slashes=False,
        )
        self._rule_names = {e: re.sub(r"<(\w+)>", r"{\1}", r) for r, _m, e in _RULES + dli.RULES}
        if state_file and os.path.exists(state_file):
            self.load_state(state_file)
        else:
            self.reset(seed)

    # ================================================================= state
    def reset(self, seed: str | None = None) -> None:
        """Drop all state and seed again (``demo``, ``empty``, ``scale:N`` or ``scale:N:T``)."""
        with self.lock:
            self.seed_spec = seed or self.seed_spec
            self.projects = {}
            self.tokens = {}
            self.counters = {}
            self._outcomes.clear()
            self.tenants = seeding.apply_seed(self, self.seed_spec, self.account)
            self.reindex()
            self.dirty = True

    def reindex(self) -> None:
        with self.lock:
            self._ak_index = {
                u.ak: (p.project_id, u.user_id)
                for p in self.projects.values()
                for u in p.users.values()
                if u.ak
            }

    def next_id(self, kind: str) -> int:
        start = {
            "job": 50000,
            "template": 1000,
            "cluster": 1000000,
            "host": 1,
            "dli_job": 70000,
            "dli_template": 5000,
            "dli_queue": 100,
            "dli_pool": 10,
        }.get(kind, 1)
        with self._id_lock:
            value = self.counters.get(kind, start - 1) + 1
            self.counters[kind] = value
            return value

    def add_project(self, project: Project) -> None:
        with self.lock:
            self.projects[project.project_id] = project

    def queue_outcomes(self, *outcomes: str) -> None:
        """Force the outcome of the next runs: ``job_running``, ``job_submit_fail``, ``job_running_exception``."""
        with self._id_lock:
            self._outcomes.extend(outcomes)

    def next_outcome(self) -> str | None:
        with self._id_lock:
            return self._outcomes.popleft() if self._outcomes else None

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            data: dict[str, Any] = {
                "version": 1,
                "seed": self.seed_spec,
                "clock": self.clock.now(),
                "tenants": [asdict(t) for t in self.tenants],
                "tokens": {k: asdict(v) for k, v in self.tokens.items()},
            }
            projects = list(self.projects.values())
        with self._id_lock:
            data["counters"] = dict(self.counters)
        serialized = []
        for project in projects:
            with project.lock:
                serialized.append(project.to_dict())
        data["projects"] = serialized
        return data

    def save_state(self, path: str | None = None) -> None:
        path = path or self.state_file
        if not path:
            return
        self.dirty = False
        data = self.to_dict()
        tmp = f"{path}.tmp"
        # The state holds the tenants' passwords, SKs and live tokens: readable by its owner only.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)

    def load_state(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        with self.lock:
            self.seed_spec = data.get("seed", self.seed_spec)
            self.counters = dict(data.get("counters", {}))
            self.tenants = [seeding.Tenant(**t) for t in data.get("tenants", [])]
            self.tokens = {k: TokenInfo(**v) for k, v in data.get("tokens", {}).items()}
            if data.get("clock") and data["clock"] > self.clock.now():
                self.clock.set(float(data["clock"]))  # a fast clock never runs backwards across restarts
            self.projects = {}
            for p in data.get("projects", []):
                project = Project.from_dict(p)
                self.projects[project.project_id] = project
            self.reindex()

    def summary(self) -> dict[str, Any]:
        now = self.clock.now()
        with self.lock:
            snapshot = list(self.projects.values())
            tokens = len(self.tokens)
        projects = {}
        for p in snapshot:
            with p.lock:
                statuses: Counter[str] = Counter(j.status(now) for j in p.jobs.values())
                projects[p.project_id] = {
                    "domain": p.domain_name,
                    "users": len(p.users),
                    "jobs": len(p.jobs),
                    "job_statuses": dict(statuses),
                    "templates": len(p.templates),
                    "clusters": len(p.live_clusters(now)),
                    "hosts": sum(len(c.hosts) for c in p.live_clusters(now).values()),
                    "peerings": len(p.peerings),
                    "audit_traces": len(p.audit),
                    "dli": dli.summary(p.dli, now),
                }
        return {
            "seed": self.seed_spec,
            "now": int(now * 1000),
            "speed": self.clock.speed,
            "tokens": tokens,
            "projects": projects,
        }

    # ================================================================= WSGI
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = _MAX_BODY
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        path = request.path
        if path.startswith("/_emulator"):
            if not self.control:
                return self._response(_Reply({"error": "the control API is off (start with --control)"}, 404))
            try:
                endpoint, values = adapter.match()
                reply = getattr(self, endpoint)(request, **values)
            except (NotFound, MethodNotAllowed):
                reply = _Reply({"error": f"no control operation {request.method} {path}"}, 404)
            except (ValueError, TypeError, KeyError) as exc:
                reply = _Reply({"error": str(exc)}, 400)
            return self._response(reply)
        try:
            endpoint, values = adapter.match()
        except (NotFound, MethodNotAllowed):
            endpoint, values = None, {}
        self._count(request.method, path, endpoint)
        decision = self.faults.decide(request.method, path)
        if decision.latency:
            time.sleep(decision.latency)
        if decision.status:
            return self._fault_response(decision.status, decision.retry_after, dli.is_dli_path(path))
        try:
            if endpoint is None and "cs" not in self.services:
                # what the API gateway in front of a DLI endpoint answers for a path it does not route
                reply = _Reply({"error_code": "APIGW.0101", "error_msg": "The API does not exist."}, 404)
                return self._response(reply)
            if endpoint is None:
                raise ApiError("CS.10003", f"{request.method} {path} is not a CS API.")
            reply = self._handle(request, endpoint, values)
        except ApiError as exc:
            reply = _Reply(exc.body(self.clock.now_ms()), exc.status, exc.headers)
        response = self._response(reply)
        if decision.body:
            response = self._broken_body(response, decision.body)
        if request.method not in ("GET", "HEAD"):
            self.dirty = True
        return response

    def _count(self, method: str, path: str, endpoint: str | None) -> None:
        op = f"{method} {self._rule_names.get(endpoint, 'unknown') if endpoint else 'unknown'}"
        with self._stats_lock:
            self._stats_ops[op] += 1
            self._stats_paths[f"{method} {path}"] += 1

    def _response(self, reply: _Reply) -> Response:
        if reply.body is None:
            response = Response(status=reply.status)
        else:
            response = Response(json.dumps(reply.body), status=reply.status, content_type=_JSON)
        response.headers["X-Request-Id"] = uuid.uuid4().hex
        for key, value in reply.headers.items():
            response.headers[key] = value
        return response

    def _fault_response(self, status: int, retry_after: int | None, dli_path: bool = False) -> Response:
        if status == 429:
            body = {"error_code": "APIGW.0308", "error_msg": "The throttling threshold has been reached."}
            headers = {"Retry-After": str(retry_after or 1)}
        elif status == 500 and dli_path:
            body = dli.DLIError("DLI.0999", status=500).body(self.clock.now_ms())
            headers = {}
        elif status == 500:
            body = ApiError("CS.10001").body(self.clock.now_ms())
            headers = {}
        else:
            body = {
                "error_code": f"APIGW.0{status}",
                "error_msg": {502: "Bad Gateway", 503: "Service Unavailable"}.get(status, "Error"),
            }
            headers = {}
        return self._response(_Reply(body, status, headers))

    @staticmethod
    def _broken_body(response: Response, mode: str | None) -> Response:
        data = response.get_data()
        if mode == "truncate":
            response.set_data(data[: max(1, len(data) // 2)])
        else:
            response.set_data(b"<html><body><h1>502 Bad Gateway</h1></body></html>")
            response.headers["Content-Type"] = "text/html"
        return response

    # ================================================================= request parsing
    @staticmethod
    def _json(request: Request, endpoint: str) -> Any:
        raw = request.get_data(cache=True)
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ApiError(
                _JSON_CODES.get(endpoint, "CS.10004"), f"The request body is not valid JSON: {exc}."
            ) from exc

    @staticmethod
    def _files(request: Request) -> dict[str, tuple[str | None, bytes]]:
        return {name: (storage.filename, storage.read()) for name, storage in request.files.items()}

    @staticmethod
    def _query(request: Request) -> dict[str, str]:
        return {k: v for k, v in request.args.items()}

    # ================================================================= authentication
    def _authenticate(self, request: Request, url_project: str | None) -> tuple[Project, User]:
        token = request.headers.get("X-Auth-Token")
        authorization = request.headers.get("Authorization", "")
        now = self.clock.now()
        if token:
            with self.lock:
                info = self.tokens.get(token)
            if info is None:
                raise ApiError(
                    "APIGW.0301",
                    "Incorrect IAM authentication information: the token is not valid.",
                    status=401,
                    gateway=True,
                )
            if now >= info.expires_at:
                raise ApiError("CS.10007")
            if url_project and url_project != info.project_id:
                raise ApiError("CS.10006")
            project = self.projects.get(info.project_id)
            user = project.users.get(info.user_id) if project else None
            if project is None or user is None:
                raise ApiError("CS.10010")
            return project, user
        if authorization.startswith(cs_auth.ALGORITHM):
            raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
            if not raw_uri:
                raw_uri = request.full_path if request.query_string else request.path
            url = f"{request.scheme}://{request.host}{raw_uri}"
            body = request.get_data(cache=True)
            ak = cs_auth.verify_request(request.method, url, request.headers.items(), body, self._lookup_sk)
            if ak is None:
                raise ApiError(
                    "APIGW.0301",
                    "Incorrect IAM authentication information: verify aksk signature fail.",
                    status=401,
                    gateway=True,
                )
            project_id, user_id = self._ak_index[ak]
            if url_project and url_project != project_id:
                raise ApiError("CS.10006")
            header_project = request.headers.get("X-Project-Id")
            if header_project and header_project != project_id:
                raise ApiError("CS.10006")
            project = self.projects[project_id]
            return project, project.users[user_id]
        raise ApiError("CS.10008")

    def _lookup_sk(self, ak: str) -> str | None:
        with self.lock:
            entry = self._ak_index.get(ak)
            if entry is None:
                return None
            project = self.projects.get(entry[0])
            user = project.users.get(entry[1]) if project else None
            return user.sk if user else None

    # ================================================================= dispatching
    def _handle(self, request: Request, endpoint: str, values: dict[str, str]) -> _Reply:
        if endpoint == "iam_token":
            return self._iam_token(request)
        if endpoint == "versions":
            return _Reply(self._versions())
        url_project = values.pop("project_id", None)
        if dli.is_dli_endpoint(endpoint):
            try:
                project, user = self._authenticate(request, url_project)
            except ApiError as exc:
                raise dli.translate_auth_error(exc) from None
            with project.lock:
                body, status = dli.handle(dli.DLIOps(self, project, user), endpoint, request, values)
            return _Reply(body, status)
        project, user = self._authenticate(request, url_project)
        ip = request.headers.get("X-Forwarded-For", request.remote_addr or "127.0.0.1").split(",")[0].strip()
        if endpoint in ("accept_peering", "create_peer_route"):
            return self._vpc(endpoint, request, project, user, values)
        with project.lock:
            ops = ProjectOps(self, project, user, ip=ip)
            return self._call(ops, endpoint, request, values)

    def _call(self, ops: ProjectOps, endpoint: str, request: Request, v: dict[str, str]) -> _Reply:
        q = self._query(request)
        if endpoint in ("create_jar_job", "update_jar_job"):
            form: dict[str, Any] = {k: val for k, val in request.form.items()}
            if not form and request.mimetype == "application/json":
                form = self._json(request, endpoint) or {}
            files = self._files(request)
            fn = ops.create_jar_job if endpoint == "create_jar_job" else ops.update_jar_job
            return _Reply(fn(form, files))
        if endpoint == "add_hosts_file":
            return _Reply(ops.add_hosts_file(v["cluster_id"], self._files(request)))
        body = self._json(request, endpoint) if request.method in ("POST", "PATCH", "PUT", "DELETE") else None
        resume = bool(validation.as_bool(q.get("resumeSavePoint", "false")))
        savepoint = bool(validation.as_bool(q.get("triggerSavePoint", "false")))
        match endpoint:
            case "user_register":
                return _Reply(ops.user_register())
            case "obs_authorize":
                return _Reply(ops.obs_authorize(body))
            case "overview":
                return _Reply(ops.overview())
            case "create_sql_job":
                return _Reply(ops.create_sql_job(body))
            case "update_sql_job":
                return _Reply(ops.update_sql_job(body))
            case "run_job":
                return _Reply(ops.run_jobs([v["job_id"]], resume=resume, batch=False))
            case "run_jobs":
                return _Reply(ops.run_jobs(self._ids(body), resume=resume, batch=True))
            case "stop_job":
                return _Reply(ops.stop_jobs([v["job_id"]], savepoint=savepoint, batch=False))
            case "stop_jobs":
                return _Reply(ops.stop_jobs(self._ids(body), savepoint=savepoint, batch=True))
            case "delete_job":
                return _Reply(ops.delete_jobs([v["job_id"]]))
            case "delete_jobs":
                return _Reply(ops.delete_jobs(self._ids(body)))
            case "list_jobs":
                return _Reply(ops.list_jobs(q))
            case "get_job":
                return _Reply(ops.get_job(v["job_id"]))
            case "execute_graph":
                return _Reply(ops.execute_graph(v["job_id"]))
            case "audit_logs":
                return _Reply(ops.audit_logs(q))
            case "metrics":
                return _Reply(ops.metrics(body))
            case "apig_sinks":
                return _Reply(ops.apig_sinks(v["job_id"]))
            case "create_template":
                return _Reply(ops.create_template(body))
            case "update_template":
                return _Reply(ops.update_template(body))
            case "delete_template":
                return _Reply(ops.delete_template(v["template_id"]))
            case "list_templates":
                return _Reply(ops.list_templates(q))
            case "create_cluster":
                return _Reply(ops.create_cluster(body))
            case "get_cluster":
                return _Reply(ops.get_cluster(v["cluster_id"]))
            case "delete_cluster":
                return _Reply(ops.delete_cluster(v["cluster_id"]))
            case "list_clusters":
                return _Reply(ops.list_clusters(q))
            case "update_cluster":
                return _Reply(ops.update_cluster(v["cluster_id"], body))
            case "stop_cluster":
                return _Reply(ops.stop_cluster(v["cluster_id"]))
            case "restart_cluster":
                return _Reply(ops.restart_cluster(v["cluster_id"]))
            case "cluster_jobs":
                cid = validation.as_int(v["cluster_id"])
                if cid is None:
                    raise ApiError("CS.20005", f"The cluster {v['cluster_id']} does not exist.")
                return _Reply(ops.list_jobs(q, cluster_id=cid))
            case "add_hosts":
                return _Reply(ops.add_hosts(v["cluster_id"], body))
            case "update_host":
                return _Reply(ops.update_host(v["cluster_id"], v["host_id"], body))
            case "list_hosts":
                return _Reply(ops.list_hosts(v["cluster_id"], q))
            case "delete_hosts":
                return _Reply(ops.delete_hosts(v["cluster_id"], body))
            case "list_quotas":
                return _Reply(ops.list_quotas(q))
            case "get_quota":
                return _Reply(ops.get_quota(v["user_id"]))
            case "update_quota":
                return _Reply(ops.update_quota(v["user_id"], body))
            case "create_peering":
                return _Reply(ops.create_peering(v["cluster_id"], body), 201)
            case "list_peerings":
                return _Reply(ops.list_peerings(v["cluster_id"]))
            case "get_peering":
                return _Reply(ops.get_peering(v["cluster_id"], v["peering_id"]))
            case "delete_peering":
                ops.delete_peering(v["cluster_id"], v["peering_id"])
                return _Reply(None, 204)
            case "create_local_route":
                return _Reply(ops.create_local_route(v["cluster_id"], v["peering_id"], body), 201)
            case "list_routes":
                return _Reply(ops.list_routes(v["cluster_id"], v["peering_id"]))
            case "delete_route":
                ops.delete_route(v["cluster_id"], v["peering_id"], v["route_id"])
                return _Reply(None, 204)
        raise ApiError("CS.10003")

    @staticmethod
    def _ids(body: Any) -> list[Any]:
        if isinstance(body, dict):
            body = body.get("job_ids", body.get("job_id"))
        found = validation.validate_job_ids(body)
        if found:
            raise ApiError(found[0].code, found[0].message)
        return list(body)

    # ================================================================= VPC operations (any project)
    def _find_peering(self, peering_id: str) -> tuple[Project, Any] | None:
        with self.lock:
            projects = list(self.projects.values())
        for project in projects:
            peering = project.peerings.get(peering_id)
            if peering is not None:
                return project, peering
        return None

    def _vpc(self, endpoint: str, request: Request, caller: Project, user: User, v: dict[str, str]) -> _Reply:
        if endpoint == "accept_peering":
            found = self._find_peering(v["peering_id"])
            if found is None or found[1].accept_tenant_id != caller.project_id:
                raise ApiError("CS.22103", f"The VPC peering connection {v['peering_id']} does not exist.")
            owner, peering = found
            with owner.lock:
                if peering.status not in ("PENDING_ACCEPTANCE", "ACTIVE"):
                    raise ApiError("CS.22102", f"The VPC peering connection is {peering.status}.")
                peering.status = "ACTIVE"
                body = {
                    "status": peering.status,
                    "name": peering.name,
                    "tenant_id": caller.project_id,
                    **{k: val for k, val in peering.wire().items() if k.endswith("_info")},
                    "id": peering.id,
                }
            return _Reply(body)
        payload = self._json(request, endpoint)
        found_v = validation.validate_peer_route(payload)
        if found_v:
            raise ApiError(found_v[0].code, found_v[0].message)
        route = payload["route"]
        found = self._find_peering(str(route["nexthop"]))
        if found is None or caller.project_id not in (found[1].accept_tenant_id, found[1].project_id):
            raise ApiError("CS.22103", f"The VPC peering connection {route['nexthop']} does not exist.")
        owner, peering = found
        with owner.lock:
            if peering.status != "ACTIVE":
                raise ApiError("CS.22105")
            if route["vpc_id"] != peering.accept_vpc_id:
                raise ApiError(
                    "CS.22101", f"The VPC {route['vpc_id']} is not the peer VPC of this connection."
                )
            ops = ProjectOps(self, owner, user)
            created = ops._add_route(
                peering,
                str(route["destination"]).strip(),
                peering.accept_vpc_id,
                caller.project_id,
                "peer",
            )
        return _Reply({"route": created.wire()}, 201)

    # ================================================================= IAM and versions
    def _iam_error(self, status: int, message: str) -> ApiError:
        return ApiError("IAM.0001" if status == 400 else "IAM.0002", message, status=status, gateway=True)

    def _iam_token(self, request: Request) -> _Reply:
        try:
            body = json.loads(request.get_data() or b"null")
            identity = body["auth"]["identity"]
            if "password" not in identity.get("methods", []):
                raise self._iam_error(400, "Only the password identity method is supported.")
            user_obj = identity["password"]["user"]
            name, password = user_obj["name"], user_obj["password"]
            domain = user_obj.get("domain") or {}
            scope = (body["auth"].get("scope") or {}).get("project") or {}
        except ApiError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._iam_error(400, "The request body is not a valid token request.") from exc
        with self.lock:
            candidates = [
                p
                for p in self.projects.values()
                if p.domain_name == domain.get("name") or p.domain_id == domain.get("id")
            ]
            for project in candidates:
                user = project.user_by_name(name)
                if user is None or not secrets.compare_digest(user.password, str(password)):
                    continue
                wanted_id, wanted_name = scope.get("id"), scope.get("name")
                if wanted_id and wanted_id != project.project_id:
                    continue
                if not wanted_id and wanted_name and wanted_name != project.project_name:
                    continue
                now = self.clock.now()
                token = "MIIE" + secrets.token_urlsafe(96)
                expires = now + self.faults.token_lifetime
                self.tokens[token] = TokenInfo(project.project_id, user.user_id, now, expires)
                body = {
                    "token": {
                        "expires_at": _iso(expires),
                        "issued_at": _iso(now),
                        "methods": ["password"],
                        "catalog": [
                            {
                                "type": "cs",
                                "name": "cs",
                                "id": uuid.uuid5(uuid.NAMESPACE_DNS, "cs").hex,
                                "endpoints": [
                                    {
                                        "region_id": project.region,
                                        "region": project.region,
                                        "interface": "public",
                                        "id": uuid.uuid4().hex,
                                        "url": f"{request.host_url.rstrip('/')}/v1.0/$(tenant_id)s",
                                    }
                                ],
                            }
                        ],
                        "project": {
                            "id": project.project_id,
                            "name": project.project_name,
                            "domain": {"id": project.domain_id, "name": project.domain_name},
                        },
                        "user": {
                            "id": user.user_id,
                            "name": user.name,
                            "password_expires_at": "",
                            "domain": {"id": project.domain_id, "name": project.domain_name},
                        },
                        "roles": [{"id": uuid.uuid5(uuid.NAMESPACE_DNS, "te_admin").hex, "name": "te_admin"}],
                    }
                }
                self.dirty = True
                return _Reply(body, 201, {"X-Subject-Token": token})
        raise self._iam_error(401, "The username or password is wrong.")

    def _versions(self) -> dict[str, Any]:
        return {
            "id": "v1.0",
            "version": "v1.0.1",
            "min_version": "v1.0",
            "engines": [{"name": "flink", "version": "1.5.3"}, {"name": "spark", "version": "2.2.1"}],
            "status": "CURRENT",
            "updated": "20180916013934",
            "current_millis": self.clock.now_ms(),
        }

    # ================================================================= control API
    @staticmethod
    def _control_body(request: Request) -> dict[str, Any]:
        raw = request.get_data()
        if not raw.strip():
            return {}
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data

    def c_state(self, request: Request) -> _Reply:
        return _Reply(self.summary())

    def c_reset(self, request: Request) -> _Reply:
        data = self._control_body(request)
        self.reset(data.get("seed"))
        if "failure_rate" in data:
            self.failure_rate = float(data["failure_rate"])
        return _Reply(self.summary())

    def c_clock(self, request: Request) -> _Reply:
        if request.method == "POST":
            data = self._control_body(request)
            if "set" in data:
                self.clock.set(float(data["set"]))
            if "advance" in data:
                self.clock.advance(float(data["advance"]))
            if "speed" in data:
                self.clock.set_speed(float(data["speed"]))
        return _Reply({"now": self.clock.now_ms(), "speed": self.clock.speed})

    def c_faults(self, request: Request) -> _Reply:
        if request.method == "POST":
            self.faults.configure(self._control_body(request))
        elif request.method == "DELETE":
            self.faults.clear()
        return _Reply(self.faults.to_dict())

    def stats(self) -> dict[str, Any]:
        with self._stats_lock:
            return {
                "total": sum(self._stats_ops.values()),
                "by_operation": dict(self._stats_ops),
                "by_path": dict(self._stats_paths),
            }

    def reset_stats(self) -> None:
        with self._stats_lock:
            self._stats_ops.clear()
            self._stats_paths.clear()

    def c_stats(self, request: Request) -> _Reply:
        return _Reply(self.stats())

    def c_stats_reset(self, request: Request) -> _Reply:
        self.reset_stats()
        return _Reply(self.stats())

    def expire_tokens(self) -> int:
        now = self.clock.now()
        with self.lock:
            for info in self.tokens.values():
                info.expires_at = min(info.expires_at, now)
            return len(self.tokens)

    def c_expire_tokens(self, request: Request) -> _Reply:
        return _Reply({"expired": self.expire_tokens()})

    def c_tenants(self, request: Request) -> _Reply:
        return _Reply({"tenants": [asdict(t) for t in self.tenants]})
