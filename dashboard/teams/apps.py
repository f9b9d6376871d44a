from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "dashboard.teams"
    label = "teams"
    verbose_name = "Teams and credentials"

    def ready(self) -> None:
        from dashboard.teams.versions import connect_admin_signal

        connect_admin_signal()
