from django.contrib import admin

from dashboard.alerts.models import (
    Channel,
    DeliveryAttempt,
    Incident,
    MaintenanceWindow,
    Notification,
    Rule,
    Silence,
)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "kind", "severity", "enabled", "silenced_until"]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["name", "team__name"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """The secrets column is not a field here: the admin never shows or edits channel secrets."""

    list_display = ["name", "team", "kind", "enabled", "target_hint", "last_success_at", "last_failure_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "team__name"]
    fields = [
        "name",
        "team",
        "kind",
        "enabled",
        "emails",
        "target_hint",
        "last_success_at",
        "last_failure_at",
        "last_error",
    ]
    readonly_fields = ["kind", "target_hint", "last_success_at", "last_failure_at", "last_error"]


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["subject_name", "rule", "team", "state", "opened_at", "resolved_at"]
    list_filter = ["state"]
    search_fields = ["subject_name", "rule__name", "team__name"]
    readonly_fields = [f.name for f in Incident._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["key", "team", "channel", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "event"]
    readonly_fields = [f.name for f in Notification._meta.fields]


admin.site.register(DeliveryAttempt)
admin.site.register(Silence)
admin.site.register(MaintenanceWindow)
