from django.urls import path

from secondstory.accounts import password_views, service_views, sso_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password, name="password"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("service-accounts/", service_views.service_accounts, name="service_accounts"),
    path(
        "service-accounts/new/",
        service_views.service_account_create,
        name="service_account_create",
    ),
    path(
        "service-accounts/<int:pk>/tokens/",
        service_views.service_token_create,
        name="service_token_create",
    ),
    path(
        "service-accounts/<int:pk>/tokens/<int:token_pk>/revoke/",
        service_views.service_token_revoke,
        name="service_token_revoke",
    ),
    path(
        "service-accounts/<int:pk>/active/",
        service_views.service_account_active,
        name="service_account_active",
    ),
]

# Signing in: outside the namespace, where Django's authentication views look for them.
sign_in_patterns = [
    path("login/sso/", sso_views.sso_begin, name="sso_begin"),
    path("login/sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path(
        "password-reset/",
        password_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        password_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        password_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        password_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
