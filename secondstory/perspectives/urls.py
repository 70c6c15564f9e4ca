from django.urls import path

from secondstory.perspectives import views

app_name = "perspectives"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("mine", views.account_mine, name="mine"),
    path("coach", views.account_coach, name="coach"),
    path("invite", views.account_invite, name="invite"),
    path("interviews/new", views.interview_new, name="interview_new"),
    path("<int:pk>/edit", views.interview_edit, name="interview_edit"),
    path("<int:pk>/share", views.account_share, name="share"),
    path("<int:pk>/agree", views.interview_agree, name="agree"),
    path("<int:pk>/history", views.account_history, name="history"),
]
