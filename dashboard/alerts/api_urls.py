"""``/api/v1/teams/<team_slug>/alerts/...`` (included by ``dashboard.api.urls``, in the ``api`` namespace)."""

from django.urls import path

from dashboard.alerts import api

urlpatterns = [
    path("rules/", api.RuleList.as_view(), name="alert_rule_list"),
    path("rules/<uuid:rule>/", api.RuleDetail.as_view(), name="alert_rule_detail"),
    path("rules/<uuid:rule>/silence/", api.RuleSilence.as_view(), name="alert_rule_silence"),
    path("channels/", api.ChannelList.as_view(), name="alert_channel_list"),
    path("channels/<uuid:channel>/", api.ChannelDetail.as_view(), name="alert_channel_detail"),
    path("channels/<uuid:channel>/test/", api.ChannelTest.as_view(), name="alert_channel_test"),
    path(
        "channels/<uuid:channel>/deliveries/",
        api.ChannelDeliveries.as_view(),
        name="alert_channel_deliveries",
    ),
    path("incidents/", api.IncidentList.as_view(), name="alert_incident_list"),
    path("incidents/<uuid:incident>/", api.IncidentDetail.as_view(), name="alert_incident_detail"),
    path(
        "incidents/<uuid:incident>/acknowledge/",
        api.IncidentAcknowledge.as_view(),
        name="alert_incident_acknowledge",
    ),
    path("silences/", api.SilenceList.as_view(), name="alert_silence_list"),
    path("silences/<uuid:silence>/", api.SilenceDetail.as_view(), name="alert_silence_detail"),
    path("maintenance/", api.MaintenanceList.as_view(), name="alert_maintenance_list"),
    path("maintenance/<uuid:window>/", api.MaintenanceDetail.as_view(), name="alert_maintenance_detail"),
]
