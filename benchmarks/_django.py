"""Django for in-process benchmarks: a scratch database under ``tmp`` unless DATABASE_URL says otherwise."""

from __future__ import annotations

import os


def setup_django(tmp: str) -> None:
    """Configure Django once per process (the first benchmark's folder wins), then migrate."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
        os.environ.setdefault("VAR_DIR", tmp)
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        # As in production: no query log (SQLite's costs an extra query per 999 parameters).
        os.environ.setdefault("DEBUG", "false")
        # As deployed: persistent database connections (a new PostgreSQL connection per request would
        # dominate every page figure).
        os.environ.setdefault("CONN_MAX_AGE", "60")
        os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
        os.environ.setdefault("EMAIL_URL", "memorymail://")  # mail stays in this process
        django.setup()
    from django.core.management import call_command

    # Not django.test's setup_test_environment: it instruments every template render (a signal and a
    # copy of the context per template for the test client), which a served page does not pay.
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
