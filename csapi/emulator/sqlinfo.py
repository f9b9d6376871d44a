"""What the emulator reads from a Stream SQL statement: its source and sink streams.

The execution plan (5.1.13), the APIG sinks (5.1.16) and the metric names (5.1.15) of a SQL job are
built from the ``CREATE SOURCE STREAM`` / ``CREATE SINK STREAM`` statements of its SQL (CS Stream SQL
syntax), falling back on ``FROM`` / ``INSERT INTO`` names, and on one default source and sink.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

__all__ = ["Stream", "SqlInfo", "parse_sql", "execute_plan", "apig_sinks"]

_STREAM_RE = re.compile(
    r"create\s+(source|sink)\s+stream\s+([A-Za-z_][\w]*)\s*\((.*?)\)\s*with\s*\((.*?)\)",
    re.IGNORECASE | re.DOTALL,
)
_TYPE_RE = re.compile(r"\btype\s*=\s*[\"']?([A-Za-z_]+)", re.IGNORECASE)
_ENCODE_RE = re.compile(r"\bencode\s*=\s*[\"']?([A-Za-z_]+)", re.IGNORECASE)
_DELIM_RE = re.compile(r"\bfield_delimiter\s*=\s*[\"'](.+?)[\"']", re.IGNORECASE)
_FROM_RE = re.compile(r"\bfrom\s+([A-Za-z_][\w]*)", re.IGNORECASE)
_INSERT_RE = re.compile(r"\binsert\s+into\s+([A-Za-z_][\w]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Stream:
    kind: str  # "source" or "sink"
    name: str
    type: str  # dis, kafka, apig, smn, obs, ...
    attrs: tuple[tuple[str, str], ...] = ()
    encode: str = "csv"
    delimiter: str = ","

    @property
    def metric_name(self) -> str:
        prefix = "Source" if self.kind == "source" else "Sink"
        return f"{prefix}: {self.type.upper()}_{self.name}"


@dataclass(frozen=True)
class SqlInfo:
    sources: tuple[Stream, ...] = field(default_factory=tuple)
    sinks: tuple[Stream, ...] = field(default_factory=tuple)

    @property
    def stream_types(self) -> set[str]:
        return {s.type.lower() for s in (*self.sources, *self.sinks)}


def _attrs(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in text.split(","):
        bits = part.split()
        if len(bits) >= 2:
            out.append((bits[0], bits[1].upper()))
    return tuple(out)


def parse_sql(sql: str | None) -> SqlInfo:
    """The source and sink streams of ``sql`` (never empty: defaults stand in for missing ones)."""
    sql = sql or ""
    sources: list[Stream] = []
    sinks: list[Stream] = []
    for kind, name, attrs, options in _STREAM_RE.findall(sql):
        kind = kind.lower()
        type_match = _TYPE_RE.search(options)
        enc = _ENCODE_RE.search(options)
        delim = _DELIM_RE.search(options)
        stream = Stream(
            kind=kind,
            name=name,
            type=(type_match.group(1).lower() if type_match else ("dis" if kind == "source" else "obs")),
            attrs=_attrs(attrs),
            encode=(enc.group(1).lower() if enc else "csv"),
            delimiter=(delim.group(1) if delim else ","),
        )
        (sources if kind == "source" else sinks).append(stream)
    if not sources:
        names = [n for n in _FROM_RE.findall(sql) if n.lower() not in {"select"}] or ["source_table"]
        sources = [Stream("source", names[0], "dis")]
    if not sinks:
        names = _INSERT_RE.findall(sql) or ["sink_table"]
        sinks = [Stream("sink", names[0], "obs")]
    return SqlInfo(tuple(sources), tuple(sinks))


def execute_plan(info: SqlInfo, parallelism: int) -> str:
    """The execution plan of a SQL job as the JSON string of 5.1.13 (``execute_plan_items``)."""
    items = []
    node_id = 1
    for src in info.sources:
        items.append(
            {
                "id": node_id,
                "type": "Source",
                "pact": "Data Source",
                "contents": src.metric_name,
                "parallelism": parallelism,
            }
        )
        node_id += 1
    operator_id = node_id
    items.append(
        {
            "id": operator_id,
            "type": "Operator",
            "pact": "Operator",
            "contents": "Calc(select: ...)",
            "parallelism": parallelism,
            "predecessors": [{"id": i, "ship_strategy": "FORWARD"} for i in range(1, operator_id)],
        }
    )
    node_id += 1
    for sink in info.sinks:
        items.append(
            {
                "id": node_id,
                "type": "Sink",
                "pact": "Data Sink",
                "contents": sink.metric_name,
                "parallelism": parallelism,
                "predecessors": [{"id": operator_id, "ship_strategy": "FORWARD"}],
            }
        )
        node_id += 1
    return json.dumps(items)


def apig_sinks(info: SqlInfo, job_id: int, app_id: str, region: str) -> dict:
    """The ``payload`` of 5.1.16 for a SQL job (its APIG sink streams; every sink if none is APIG)."""
    chosen = [s for s in info.sinks if s.type == "apig"] or list(info.sinks)
    host = f"{app_id[:32]}.apigw.{region}.huaweicloud.com"
    return {
        "sinks": [
            {
                "app_id": app_id,
                "sink_name": s.name.upper(),
                "url": f"https://{host}/{job_id}/{s.name.upper()}",
            }
            for s in chosen
        ],
        "metadata": [
            {
                "name": s.name.upper(),
                "encode": s.encode,
                "delimiter": s.delimiter,
                "attrs": [{"name": a, "type": t} for a, t in (s.attrs or (("value", "STRING"),))],
            }
            for s in chosen
        ],
    }
