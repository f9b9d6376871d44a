"""Seed the demo: two teams, their users and one credential each on its own emulator project.

Running it again changes nothing (users keep their password unless ``--password`` is given).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from dashboard.teams.models import AuthType, Credential, Membership, Role, Service, Team
from dashboard.teams.versions import all_teams_changed


def demo_tenants() -> list[dict]:
    """The emulator's demo accounts, from the emulator's own seed (one place for the facts)."""
    from csapi.emulator.seed import DEMO_TENANTS

    return [dict(t) if isinstance(t, dict) else vars(t) for t in DEMO_TENANTS]


def _stored_demo_password() -> str:
    path = Path(settings.VAR_DIR) / "demo_password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(12))
    return path.read_text().strip()


TEAMS = [
    {
        "name": "Demo",
        "slug": "demo",
        "users": [("lead", Role.LEAD), ("operator", Role.OPERATOR), ("viewer", Role.VIEWER)],
    },
    {"name": "Demo 2", "slug": "demo-2", "users": [("lead2", Role.LEAD)]},
]


class Command(BaseCommand):
    help = "Create the demo teams, users and credentials pointing at the CS emulator (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for the demo users (default: generated and printed)."
        )
        parser.add_argument("--endpoint", default=None, help="CS emulator URL (default: CS_EMULATOR_URL).")

    @transaction.atomic
    def handle(self, *args, password=None, endpoint=None, **options):
        endpoint = (endpoint or settings.CS_EMULATOR_URL).rstrip("/")
        User = get_user_model()
        generated = password is None
        if generated:
            # Generated once per install and kept beside the other local secrets, so every
            # `make run` can print the demo logins again.
            password = _stored_demo_password()
        created_users = []
        tenants = demo_tenants()
        for spec, tenant in zip(TEAMS, tenants, strict=False):
            team, _ = Team.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
            for username, role in spec["users"]:
                user, created = User.objects.get_or_create(username=username)
                if created or not generated:
                    user.set_password(password)
                    user.save()
                    created_users.append(username)
                Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
            # One credential per service on the same tenant: CS (v1.0) and its successor DLI.
            for name, service in (("emulator", Service.CS), ("emulator-dli", Service.DLI)):
                if Credential.objects.filter(team=team, name=name).exists():
                    continue
                credential = Credential(
                    team=team,
                    name=name,
                    service=service,
                    region="cn-north-1",
                    project_id=tenant["project_id"],
                    cs_endpoint=endpoint if service == Service.CS else "",
                    dli_endpoint=endpoint if service == Service.DLI else "",
                    iam_endpoint=endpoint,
                    vpc_endpoint=endpoint if service == Service.CS else "",
                    auth_type=AuthType.PASSWORD if spec["slug"] == "demo" else AuthType.AKSK,
                    domain_name=tenant["domain"],
                    username=tenant["user"],
                    access_key=tenant["ak"],
                )
                credential.set_secret(
                    tenant["password"] if credential.auth_type == AuthType.PASSWORD else tenant["sk"]
                )
                credential.save()
        all_teams_changed()  # pages cached before a re-seed render again
        if not created_users:
            self.stdout.write("Demo data already present; nothing changed.")
        shown = password if generated else "(as given with --password)"
        logins = ", ".join(username for spec in TEAMS for username, _ in spec["users"])
        self.stdout.write(f"Demo logins: {logins}; password: {shown}")
