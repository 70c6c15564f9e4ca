from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from secondstory.accounts.login_forms import AdminLoginForm
from secondstory.accounts.login_views import LoginView
from secondstory.accounts.urls import sign_in_patterns
from secondstory.actions.metrics_views import metrics
from secondstory.lib.styleguide import styleguide

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    *sign_in_patterns,
    path("account/", include("secondstory.accounts.urls")),
    path("admin/", admin.site.urls),
    path("incidents/", include("secondstory.incidents.urls")),
    path("actions/", include("secondstory.actions.urls")),
    path("notify/", include("secondstory.notify.urls")),
    path("trackers/", include("secondstory.trackers.urls")),
    path("feeds/", include("secondstory.feeds.urls")),
    path("library/", include("secondstory.library.urls")),
    path("sharing/", include("secondstory.sharing.urls")),
    path("insights/", include("secondstory.insights.urls")),
    path("audit/", include("secondstory.audit.urls")),
    path("integrations/", include("secondstory.chat.urls")),
    path("integrations/", include("secondstory.alerts_in.urls")),
    path("webhooks/", include("secondstory.outgoing.urls")),
    path("api/", include("secondstory.api.urls")),
    path("near-misses/", include("secondstory.nearmiss.urls")),
    path("postmortems/<str:key>/learning-check/", include("secondstory.learningcheck.urls")),
    path("postmortems/<str:key>/accounts/", include("secondstory.perspectives.urls")),
    path("game-days/", include("secondstory.gamedays.urls")),
    path("metrics", metrics, name="metrics"),
    path("styleguide/", styleguide, name="styleguide"),
    path("", include("secondstory.reviews.urls")),
    path("", include("secondstory.postmortems.urls")),
]
handler500 = "secondstory.lib.error_pages.server_error"
