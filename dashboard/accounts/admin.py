from django.contrib import admin

from dashboard.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone", "updated_at"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
