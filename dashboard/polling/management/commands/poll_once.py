"""Run syncs now, in this process: ``manage.py poll_once [--credential ID] [--kind jobs ...]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dashboard.polling import runner, schedule
from dashboard.polling.models import Kind


class Command(BaseCommand):
    help = "Poll CS now for every pollable credential (or one), every kind (or some); prints the outcome."

    def add_arguments(self, parser):
        parser.add_argument("--credential", type=int, action="append", help="Credential id (repeatable).")
        parser.add_argument("--kind", choices=Kind.values, action="append", help="Kind of data (repeatable).")

    def handle(self, *args, credential=None, kind=None, **options):
        ids = credential or list(schedule.pollable_credentials().values_list("pk", flat=True))
        failed = 0
        for credential_id in ids:
            for name, result in runner.sync_all(credential_id, kind).items():
                state = "ok" if result.ok else (f"skipped ({result.skipped})" if result.skipped else "failed")
                failed += 0 if result.ok or result.skipped else 1
                line = f"credential {credential_id} {name}: {state}, {result.items} items, {result.written} written"
                if result.error:
                    line += f" - {result.error}"
                self.stdout.write(line)
        if failed:
            self.stderr.write(f"{failed} sync(s) failed")
