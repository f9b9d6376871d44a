from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "dashboard.usage"
    label = "usage"
    verbose_name = "Quotas and billing"
