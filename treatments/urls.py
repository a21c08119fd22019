"""API routes of the treatments app (under /api/v1/)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from treatments import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("products", views.ProductViewSet, basename="product")
router.register("lots", views.LotViewSet, basename="lot")
router.register(
    "administrations", views.AdministrationViewSet, basename="administration"
)

urlpatterns = [path("", include(router.urls))]
