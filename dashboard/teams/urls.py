from django.urls import path

from dashboard.teams import views

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/new/", views.team_create, name="team_create"),
    path("t/<slug:team>/", views.team_detail, name="team_detail"),
    path("t/<slug:team>/members/", views.members, name="members"),
    path("t/<slug:team>/members/<path:member_id>/role/", views.member_role, name="member_role"),
    path("t/<slug:team>/members/<path:member_id>/remove/", views.member_remove, name="member_remove"),
    path("t/<slug:team>/credentials/", views.credential_list, name="credential_list"),
    path("t/<slug:team>/credentials/new/", views.credential_edit, name="credential_create"),
    path("t/<slug:team>/credentials/<uuid:credential>/", views.credential_detail, name="credential_detail"),
    path("t/<slug:team>/credentials/<uuid:credential>/edit/", views.credential_edit, name="credential_edit"),
    path(
        "t/<slug:team>/credentials/<uuid:credential>/delete/",
        views.credential_delete,
        name="credential_delete",
    ),
    path("t/<slug:team>/credentials/<uuid:credential>/test/", views.credential_test, name="credential_test"),
    path(
        "t/<slug:team>/credentials/<uuid:credential>/register/",
        views.credential_register,
        name="credential_register",
    ),
    path(
        "t/<slug:team>/credentials/<uuid:credential>/authorize-obs/",
        views.credential_authorize_obs,
        name="credential_authorize_obs",
    ),
    path(
        "t/<slug:team>/credentials/<uuid:credential>/calls/<uuid:call>/",
        views.credential_call,
        name="credential_call",
    ),
]
