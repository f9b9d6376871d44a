from django.core.management.base import BaseCommand

from dashboard.teams.services import credentials_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored credential secret under the newest key of CREDENTIAL_KEYS."

    def handle(self, *args, **options):
        count = credentials_reencrypt()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {count} credential secret(s) under the newest key.")
        )
