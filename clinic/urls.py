"""Root URLs: the admin, the versioned API and its schema/docs.

Each app contributes its API routes through its own urls module.
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from clinic.core.api.auth_views import TokenView
from clinic.core.throttling import throttle_login_posts

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("", include("clinic.api_urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/api/docs/", permanent=False)),
    # Before the admin's own routes, so this one answers /admin/login/: the
    # admin login gets the token endpoint's per-address budget.
    path("admin/login/", throttle_login_posts(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

handler400 = "clinic.core.api.fallback_views.bad_request"
handler403 = "clinic.core.api.fallback_views.permission_denied"
handler404 = "clinic.core.api.fallback_views.not_found"
handler500 = "clinic.core.api.fallback_views.server_error"
