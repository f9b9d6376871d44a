from django.urls import path

from dashboard.accounts import views

urlpatterns = [
    path("settings/profile/", views.profile, name="profile"),
    path("i18n/language/", views.language_switch, name="language_switch"),
]
