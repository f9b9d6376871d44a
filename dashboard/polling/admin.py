from django.contrib import admin

from dashboard.polling.models import PollHealth


@admin.register(PollHealth)
class PollHealthAdmin(admin.ModelAdmin):
    list_display = [
        "credential",
        "kind",
        "last_success",
        "consecutive_failures",
        "next_attempt",
        "last_error",
    ]
    list_filter = ["kind"]
    search_fields = ["credential__name", "credential__team__name"]
    readonly_fields = [f.name for f in PollHealth._meta.fields]
