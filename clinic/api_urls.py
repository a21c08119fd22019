"""API routes of the clinic's places, people and calendar (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from clinic import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("locations", views.LocationViewSet, basename="location")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("practitioners", views.PractitionerViewSet, basename="practitioner")
router.register(
    "appointment-types", views.AppointmentTypeViewSet, basename="appointment-type"
)
router.register("working-hours", views.WorkingHoursViewSet, basename="working-hours")
router.register(
    "schedule-exceptions", views.ScheduleExceptionViewSet, basename="schedule-exception"
)
router.register("appointments", views.AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("", include(router.urls)),
    path("availability/", views.AvailabilityView.as_view(), name="availability"),
    path("", include("patients.urls")),
    path("", include("treatments.urls")),
]
