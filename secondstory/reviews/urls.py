from django.urls import path

from secondstory.reviews import views

app_name = "reviews"

urlpatterns = [
    path("postmortems/<str:key>/meetings/schedule/", views.schedule, name="schedule"),
    path("postmortems/<str:key>/meetings/<int:pk>/", views.meeting, name="meeting"),
    path("postmortems/<str:key>/meetings/<int:pk>/edit/", views.reschedule, name="reschedule"),
    path("postmortems/<str:key>/meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("postmortems/<str:key>/meetings/<int:pk>/agenda/", views.agenda, name="agenda"),
    path("postmortems/<str:key>/meetings/<int:pk>/invite.ics", views.invite, name="invite"),
    path("postmortems/<str:key>/meetings/<int:pk>/notes/", views.notes, name="notes"),
    path("postmortems/<str:key>/meetings/<int:pk>/decisions/", views.decision, name="decision"),
    path("postmortems/<str:key>/meetings/<int:pk>/held/", views.held, name="held"),
]
