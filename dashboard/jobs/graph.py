"""The execution plan of a SQL job (reference 5.1.13, ``execute_plan_items``) drawn as an SVG graph.

The plan is a JSON list of operators (``id``, ``type``, ``pact``, ``contents``, ``parallelism``,
``predecessors: [{"id", "ship_strategy"}]``). Operators are laid out in columns by their depth (the
longest path from a source), edges drawn left to right. Everything is escaped: no markup from CS
reaches the page unescaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext, pgettext_lazy

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 200, 64, 70, 24, 16
MAX_NODES = 200


@dataclass
class Node:
    id: str
    type: str
    pact: str
    contents: str
    parallelism: Any
    preds: list[tuple[str, str]] = field(default_factory=list)
    depth: int = 0
    row: int = 0


def parse_plan(source: Any) -> list[Node]:
    """Operators of a plan given as a JSON string, a list, or a mapping with ``execute_plan_items``."""
    data = source
    for _ in range(3):  # the reference nests JSON in a string; accept a string of a string
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                return []
        elif isinstance(data, Mapping):
            data = data.get("execute_plan_items", data.get("nodes", []))
        else:
            break
    if not isinstance(data, list):
        return []
    nodes: list[Node] = []
    for item in data[:MAX_NODES]:
        if not isinstance(item, Mapping) or item.get("id") is None:
            continue
        preds = []
        for p in item.get("predecessors") or []:
            if isinstance(p, Mapping) and p.get("id") is not None:
                preds.append((str(p["id"]), str(p.get("ship_strategy") or "")))
        nodes.append(
            Node(
                id=str(item["id"]),
                type=str(item.get("type") or ""),
                pact=str(item.get("pact") or ""),
                contents=str(item.get("contents") or ""),
                parallelism=item.get("parallelism", ""),
                preds=preds,
            )
        )
    return nodes


#: Flink's operator kinds in the plan, in words (another kind is shown as Flink names it).
_KINDS = {
    "source": pgettext_lazy("execution plan", "Source"),
    "sink": pgettext_lazy("execution plan", "Sink"),
    "operator": pgettext_lazy("execution plan", "Operator"),
}


def _kind(node: Node) -> str:
    name = node.type or node.pact or "Operator"
    label = _KINDS.get(name.lower())
    return str(label) if label else name


def _layout(nodes: list[Node]) -> None:
    by_id = {n.id: n for n in nodes}
    for _ in range(len(nodes)):  # longest-path depth; bounded, so a cycle cannot loop forever
        changed = False
        for n in nodes:
            depth = max((by_id[p].depth + 1 for p, _s in n.preds if p in by_id), default=0)
            if depth != n.depth:
                n.depth, changed = depth, True
        if not changed:
            break
    rows: dict[int, int] = {}
    for n in nodes:
        n.row = rows.get(n.depth, 0)
        rows[n.depth] = n.row + 1


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_svg(source: Any) -> str:
    """SVG markup of the plan, or "" when there is no readable plan."""
    nodes = parse_plan(source)
    if not nodes:
        return ""
    _layout(nodes)
    by_id = {n.id: n for n in nodes}
    cols = max(n.depth for n in nodes) + 1
    rows = max(n.row for n in nodes) + 1
    width = PAD * 2 + cols * BOX_W + (cols - 1) * GAP_X
    height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP_Y

    def pos(n: Node) -> tuple[int, int]:
        return PAD + n.depth * (BOX_W + GAP_X), PAD + n.row * (BOX_H + GAP_Y)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plan-graph" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="Execution plan">',
        '<defs><marker id="plan-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#637083"/></marker></defs>',
    ]
    for n in nodes:
        x2, y2 = pos(n)
        for pid, strategy in n.preds:
            p = by_id.get(pid)
            if p is None:
                continue
            x1, y1 = pos(p)
            sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H // 2, x2, y2 + BOX_H // 2
            mid = (sx + ex) // 2
            parts.append(
                f'<path d="M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}" fill="none" stroke="#637083" '
                f'stroke-width="1.5" marker-end="url(#plan-arrow)"/>'
            )
            if strategy:
                parts.append(
                    f'<text x="{mid}" y="{(sy + ey) // 2 - 4}" font-size="10" fill="#637083" '
                    f'text-anchor="middle">{escape(_clip(strategy, 14))}</text>'
                )
    colors = {"source": "#e6f4ea", "sink": "#e8f1fd"}
    parallelism = gettext("parallelism %(n)s")
    for n in nodes:
        x, y = pos(n)
        fill = colors.get(n.type.lower(), "#fff")
        parts.append(
            f'<g class="plan-node"><title>{escape(n.contents)}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#8aa0b8"/>'
            f'<text x="{x + 8}" y="{y + 18}" font-size="12" font-weight="600" fill="#1d2733">'
            f"{escape(_clip(_kind(n), 26))} #{escape(n.id)}</text>"
            f'<text x="{x + 8}" y="{y + 36}" font-size="11" fill="#1d2733">{escape(_clip(n.contents, 30))}</text>'
            f'<text x="{x + 8}" y="{y + 54}" font-size="10" fill="#637083">'
            f"{escape(parallelism % {'n': n.parallelism})}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
