"""Light result objects: dicts with attribute access that keep every field CS returns.

The reference's field names are kept as they are; unknown fields are kept too. A few helpers
normalise the places where the reference contradicts itself (checkpoint_mode as a string or an int,
payloads wrapped in lists).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import vocab

__all__ = [
    "AuditTrace",
    "CSObject",
    "Cluster",
    "Envelope",
    "ExecuteGraph",
    "Host",
    "Job",
    "JobMetrics",
    "Page",
    "Peering",
    "Route",
    "Template",
    "UserQuota",
    "Version",
    "wrap",
]


def wrap(value: Any) -> Any:
    """Wrap nested mappings in :class:`CSObject` (recursively through lists)."""
    if isinstance(value, CSObject):
        return value
    if isinstance(value, Mapping):
        return CSObject(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class CSObject(dict):
    """A dict with attribute access (``job.name`` is ``job["name"]``); nested dicts are wrapped.

    ``meta`` holds the response envelope fields (``message_id``, ``message``, ``current_time``) when
    the object is the payload of an answer.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, value in list(self.items()):
            if isinstance(value, Mapping | list) and not isinstance(value, CSObject):
                dict.__setitem__(self, key, wrap(value))
        self.meta: dict[str, Any] = {}

    @classmethod
    def recast(cls, other: Mapping[str, Any]) -> Any:
        """``other``'s fields as this class; a :class:`CSObject` is taken as wrapped already (no new walk)."""
        if not isinstance(other, CSObject):
            return cls(other)
        out = dict.__new__(cls)
        dict.update(out, other)
        out.meta = {}
        return out

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def __reduce__(self):
        return (type(self), (dict(self),), {"meta": self.meta})

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.meta = state.get("meta", {})

    def to_dict(self) -> dict[str, Any]:
        """A plain-dict deep copy (JSON-serialisable when the answer was)."""
        return json.loads(json.dumps(self, default=str))


class Envelope(CSObject):
    """A whole CS answer: ``message_id``, ``message``, ``current_time`` and maybe ``payload``."""

    @property
    def ok(self) -> bool:
        return not self.get("error_id") and not self.get("error_code")


class Job(CSObject):
    """A job of the job lists (5.1.11, 5.3.8) or of job details (5.1.12)."""

    @property
    def status_info(self) -> vocab.JobStatus:
        return vocab.job_status(self.get("status") or self.get("status_name"))

    @property
    def config(self) -> CSObject:
        cfg = self.get("job_config")
        return cfg if isinstance(cfg, CSObject) else CSObject()

    @property
    def checkpoint_mode(self) -> str | None:
        """``"exactly_once"``/``"at_least_once"`` whatever form CS used (string, CamelCase or 1/2)."""
        raw = self.config.get("checkpoint_mode", self.get("checkpoint_mode"))
        return vocab.normalize_checkpoint_mode(raw)


class Template(CSObject):
    """A job template (5.2.1, 5.2.4)."""


class Cluster(CSObject):
    """An exclusive cluster (5.3.2, 5.3.4)."""

    @property
    def status_info(self) -> vocab.ClusterStatus:
        code = self.get("status_code")
        if code in (None, ""):
            return vocab.cluster_status(self.get("status_name"))
        return vocab.cluster_status(code)


class Host(CSObject):
    """An IP-domain mapping of a cluster (5.3.11): ``id`` and ``info`` {hostname, ip}."""

    @property
    def hostname(self) -> str | None:
        info = self.get("info")
        return info.get("hostname") if isinstance(info, Mapping) else self.get("hostname")

    @property
    def ip(self) -> str | None:
        info = self.get("info")
        return info.get("ip") if isinstance(info, Mapping) else self.get("ip")


class UserQuota(CSObject):
    """A user's SPU quota (5.3.14, 5.3.15)."""


class AuditTrace(CSObject):
    """One audit log trace (5.1.14)."""


class JobMetrics(CSObject):
    """Monitoring information about one job (5.1.15)."""


class ExecuteGraph(CSObject):
    """A job execution plan (5.1.13); ``items`` parses ``execute_plan_items`` when it is JSON text."""

    @property
    def items_parsed(self) -> Any:
        raw = self.get("execute_plan_items")
        if isinstance(raw, str):
            try:
                return wrap(json.loads(raw))
            except ValueError:
                return raw
        return raw


class Peering(CSObject):
    """A VPC peering connection (5.3.17-5.3.21)."""


class Route(CSObject):
    """A route of a VPC peering connection (5.3.22-5.3.24)."""


class Version(CSObject):
    """The CS release version (5.1.4)."""


class Page(list):
    """One page of a list answer: the items, plus ``total`` and the envelope ``meta``."""

    def __init__(
        self, items: Iterable[Any] = (), *, total: int | None = None, meta: dict[str, Any] | None = None
    ):
        super().__init__(items)
        self.total = total
        self.meta = meta or {}

    def __repr__(self) -> str:
        return f"Page({list.__repr__(self)}, total={self.total!r})"
