from django.urls import path

from dashboard.usage import views

urlpatterns = [
    path("t/<slug:team>/quotas/", views.quota_list, name="quota_list"),
    path("t/<slug:team>/quotas/<uuid:credential>/<str:user_id>/edit/", views.quota_edit, name="quota_edit"),
    path("t/<slug:team>/billing/", views.billing, name="billing"),
    path("t/<slug:team>/billing/jobs.csv", views.billing_jobs_csv, name="billing_jobs_csv"),
]
