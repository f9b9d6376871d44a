from django.urls import path

from dashboard.jobs import views

_JOB = "t/<slug:team>/jobs/<uuid:credential>/<int:job_id>/"
_TEMPLATE = "t/<slug:team>/templates/<uuid:credential>/<int:template_id>/"

urlpatterns = [
    path("jobs/", views.jobs_all, name="jobs_all"),
    path("jobs/rows/", views.jobs_all_rows, name="jobs_all_rows"),
    path("t/<slug:team>/jobs/", views.job_list, name="job_list"),
    path("t/<slug:team>/jobs/rows/", views.job_list_rows, name="job_list_rows"),
    path("t/<slug:team>/jobs/batch/", views.job_batch, name="job_batch"),
    path("t/<slug:team>/jobs/new/sql/", views.sql_job_create, name="sql_job_create"),
    path("t/<slug:team>/jobs/new/jar/", views.jar_job_create, name="jar_job_create"),
    path(_JOB, views.job_detail, name="job_detail"),
    path(_JOB + "live/", views.job_detail_live, name="job_detail_live"),
    path(_JOB + "edit/", views.job_edit, name="job_edit"),
    path(_JOB + "clone/", views.job_clone, name="job_clone"),
    path(_JOB + "run/", views.job_run, name="job_run"),
    path(_JOB + "stop/", views.job_stop, name="job_stop"),
    path(_JOB + "delete/", views.job_delete, name="job_delete"),
    path(_JOB + "savepoint/", views.job_savepoint, name="job_savepoint"),
    path(_JOB + "copy-to-dli/", views.job_copy_to_dli, name="job_copy_to_dli"),
    path("t/<slug:team>/jobs/copy-to-dli/", views.jobs_copy_to_dli, name="jobs_copy_to_dli"),
    path("t/<slug:team>/templates/", views.template_list, name="template_list"),
    path("t/<slug:team>/templates/new/", views.template_create, name="template_create"),
    path(_TEMPLATE + "edit/", views.template_edit, name="template_edit"),
    path(_TEMPLATE + "delete/", views.template_delete, name="template_delete"),
    path(_TEMPLATE + "sql/", views.template_sql, name="template_sql"),
]
