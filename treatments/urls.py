"""API routes of the treatments app (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from treatments import outcome_views, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("products", views.ProductViewSet, basename="product")
router.register("lots", views.LotViewSet, basename="lot")
router.register(
    "administrations", views.AdministrationViewSet, basename="administration"
)
router.register("follow-ups", outcome_views.FollowUpNoteViewSet, basename="follow-up")
router.register(
    "adverse-events", outcome_views.AdverseEventViewSet, basename="adverse-event"
)

urlpatterns = [
    path("", include(router.urls)),
    # Served here, not by patients/ (which must not import treatments); the
    # patients router has no "outcomes" route, so this one is reached.
    path(
        "patients/<uuid:public_id>/outcomes/",
        outcome_views.PatientOutcomesView.as_view(),
        name="patient-outcomes",
    ),
]
