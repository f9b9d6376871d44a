from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard import views
from dashboard.api import pages as api_pages
from dashboard.api.schema import ApiDocsView, ApiSchemaView

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", ApiSchemaView.as_view(), name="api_schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/", include("dashboard.api.urls")),
    path("settings/api-tokens/", api_pages.token_settings, name="api_tokens"),
    path("settings/api-tokens/<uuid:token>/revoke/", api_pages.token_revoke, name="api_token_revoke"),
    path("", include("dashboard.accounts.urls")),
    path("", include("dashboard.teams.urls")),
    path("", include("dashboard.jobs.urls")),
    path("", include("dashboard.clusters.urls")),
    path("", include("dashboard.usage.urls")),
    path("", include("dashboard.alerts.urls")),
]
