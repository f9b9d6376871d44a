from django.urls import path

from dashboard.clusters import views

_C = "t/<slug:team>/clusters/<uuid:credential>/<int:cluster_id>/"
_P = _C + "peerings/<str:peering_id>/"

urlpatterns = [
    path("t/<slug:team>/clusters/", views.cluster_list, name="cluster_list"),
    path("t/<slug:team>/clusters/new/", views.cluster_create, name="cluster_create"),
    path(_C, views.cluster_detail, name="cluster_detail"),
    path(_C + "edit/", views.cluster_update, name="cluster_update"),
    path(_C + "stop/", views.cluster_stop, name="cluster_stop"),
    path(_C + "restart/", views.cluster_restart, name="cluster_restart"),
    path(_C + "delete/", views.cluster_delete, name="cluster_delete"),
    path(_C + "hosts/", views.host_list, name="host_list"),
    path(_C + "hosts/add/", views.host_add, name="host_add"),
    path(_C + "hosts/delete/", views.hosts_delete, name="hosts_delete"),
    path(_C + "hosts/upload/", views.hosts_upload, name="hosts_upload"),
    path(_C + "hosts/<int:host_id>/edit/", views.host_edit, name="host_edit"),
    path(_C + "peerings/", views.peering_list, name="peering_list"),
    path(_C + "peerings/new/", views.peering_create, name="peering_create"),
    path(_C + "peerings/accept/", views.peering_accept, name="peering_accept"),
    path(_P, views.peering_detail, name="peering_detail"),
    path(_P + "delete/", views.peering_delete, name="peering_delete"),
    path(_P + "routes/new/", views.route_create_local, name="route_create_local"),
    path(_P + "peer-routes/new/", views.route_create_peer, name="route_create_peer"),
    path(_P + "routes/<str:route_id>/delete/", views.route_delete, name="route_delete"),
    path("t/<slug:team>/queues/", views.queue_list, name="queue_list"),
]
