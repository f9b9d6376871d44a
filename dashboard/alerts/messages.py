"""The words of a message, from the payload a notification row carries (the same words on every try)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.alerts.channels import Message

#: A grouped message names at most this many subjects, then says how many more there are.
MAX_NAMED = 20

SECTIONS = ("opened", "reminders", "resolved")


def _section_title(section: str, count: int) -> str:
    if section == "opened":
        return ngettext("%(count)d new", "%(count)d new", count) % {"count": count}
    if section == "reminders":
        return ngettext("%(count)d still firing", "%(count)d still firing", count) % {"count": count}
    return ngettext("%(count)d resolved", "%(count)d resolved", count) % {"count": count}


def title_of(payload: dict) -> str:
    if payload.get("test"):
        return _("[%(team)s] Test message from CS Dashboard") % {"team": payload["team"]["name"]}
    counts = payload.get("counts", {})
    parts = [_section_title(s, counts[s]) for s in SECTIONS if counts.get(s)]
    team, rule = payload["team"]["name"], payload["rule"]
    return f"[{team}] {rule['severity_label']} · {rule['name']}: {', '.join(parts)}"


def _event_line(event: dict, markdown: bool) -> str:
    name = event["subject"]
    if markdown and event.get("url"):
        name = f"[{name}]({event['url']})"
    line = f"{name}: {event['summary']}"
    if event.get("status_desc"):
        line += f" ({event['status_desc']})"
    line += " · " + event["at"]
    if not markdown and event.get("url"):
        line += f"\n    {event['url']}"
    return line


def body_of(payload: dict, *, markdown: bool) -> str:
    if payload.get("test"):
        return _("This channel works: a test message sent by %(user)s at %(at)s.") % {
            "user": payload.get("user") or _("the dashboard"),
            "at": payload["generated_at"],
        }
    lines: list[str] = []
    counts = payload.get("counts", {})
    for section in SECTIONS:
        events = payload.get(section) or []
        if not counts.get(section):
            continue
        heading = _section_title(section, counts[section])
        lines.append(f"**{heading}**" if markdown else heading)
        lines.extend(("- " if markdown else "  ") + _event_line(e, markdown) for e in events)
        more = counts[section] - len(events)
        if more > 0:
            lines.append(("- " if markdown else "  ") + _("… and %(count)d more") % {"count": more})
        lines.append("")
    if payload.get("incidents_url"):
        lines.append(_("Incidents: %(url)s") % {"url": payload["incidents_url"]})
    return "\n".join(lines).strip()


def message_for(key: str, payload: dict) -> Message:
    return Message(
        key=key,
        title=title_of(payload),
        text=body_of(payload, markdown=False),
        markdown=body_of(payload, markdown=True),
        payload={"id": key, **payload},
    )
