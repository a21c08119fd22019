"""Test-only routes that fail on purpose, to check the error format."""

from django.urls import path
from rest_framework.views import APIView

from clinic.core.errors import Conflict
from clinic.core.roles import ALL_ROLES


class Boom(APIView):
    role_rules = {"get": ALL_ROLES}

    def get(self, request):
        raise RuntimeError("secret-detail that must not leak")


class TestConflict(Conflict):
    code = "test_conflict"


class Collides(APIView):
    role_rules = {"get": ALL_ROLES}

    def get(self, request):
        raise TestConflict("It collides.", errors={"when": ["Taken."]})


def plain_boom(request):
    raise RuntimeError("secret-detail that must not leak")


urlpatterns = [
    path("boom/", Boom.as_view()),
    path("conflict/", Collides.as_view()),
    path("plain-boom/", plain_boom),
]
handler500 = "clinic.core.api.fallback_views.server_error"
