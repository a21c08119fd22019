"""The product's URLs plus the bench's baselines under /api/v1/bench/ (the
same prefix as the API, so every middleware treats them alike)."""

from django.urls import path

from bench import naive, views
from clinic.urls import (  # noqa: F401 - Django looks the handlers up here
    handler400,
    handler403,
    handler404,
    handler500,
)
from clinic.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("api/v1/bench/floor/", views.floor),
    path("api/v1/bench/auth/", views.AuthProbe.as_view()),
    path("api/v1/bench/raw/patient/<int:pk>/", views.raw_patient),
    path("api/v1/bench/raw/week/", views.raw_week),
    path("api/v1/bench/raw/insert/", views.raw_insert),
    path("api/v1/bench/naive-availability/", naive.naive_availability),
    *product_urlpatterns,
]
