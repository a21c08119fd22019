"""API routes of the patients app (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from patients import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("patients", views.PatientViewSet, basename="patient")
router.register("consent-forms", views.ConsentFormViewSet, basename="consent-form")
router.register("consents", views.SignedConsentViewSet, basename="consent")

urlpatterns = [path("", include(router.urls))]
