"""CS Dashboard: the Django project."""

from dashboard.celery import app as celery_app

__all__ = ("celery_app",)
