from django.urls import path

from dashboard.alerts import views

_A = "t/<slug:team>/alerts/"

urlpatterns = [
    path(_A, views.incident_list, name="alert_incidents"),
    path(_A + "incidents/<uuid:incident>/", views.incident_detail, name="alert_incident"),
    path(
        _A + "incidents/<uuid:incident>/acknowledge/", views.incident_acknowledge, name="alert_incident_ack"
    ),
    path(_A + "incidents/<uuid:incident>/silence/", views.incident_silence, name="alert_incident_silence"),
    path(_A + "rules/", views.rule_list, name="alert_rules"),
    path(_A + "rules/new/", views.rule_edit, name="alert_rule_create"),
    path(_A + "rules/<uuid:rule>/edit/", views.rule_edit, name="alert_rule_edit"),
    path(_A + "rules/<uuid:rule>/delete/", views.rule_delete, name="alert_rule_delete"),
    path(_A + "rules/<uuid:rule>/silence/", views.rule_silence, name="alert_rule_silence"),
    path(_A + "channels/", views.channel_list, name="alert_channels"),
    path(_A + "channels/new/", views.channel_edit, name="alert_channel_create"),
    path(_A + "channels/<uuid:channel>/", views.channel_detail, name="alert_channel"),
    path(_A + "channels/<uuid:channel>/edit/", views.channel_edit, name="alert_channel_edit"),
    path(_A + "channels/<uuid:channel>/delete/", views.channel_delete, name="alert_channel_delete"),
    path(_A + "channels/<uuid:channel>/test/", views.channel_test, name="alert_channel_test"),
    path(_A + "maintenance/", views.maintenance, name="alert_maintenance"),
    path(_A + "maintenance/<uuid:window>/delete/", views.maintenance_delete, name="alert_maintenance_delete"),
    path(_A + "silences/<uuid:silence>/delete/", views.silence_delete, name="alert_silence_delete"),
]
