"""API routes of the clinic's places, people and calendar (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from clinic import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("locations", views.LocationViewSet, basename="location")

urlpatterns = [
    path("", include(router.urls)),
    path("", include("patients.urls")),
    path("", include("treatments.urls")),
]
