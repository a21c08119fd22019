"""Test-only routes whose errors carry a canary patient name."""

from django.urls import path
from rest_framework.views import APIView

from clinic.core.api.permissions import PUBLIC
from tests.canary_names import CANARY

MESSAGE = f"failed for patient {CANARY}99, born 1970-01-01"


class Boom(APIView):
    role_rules = {"get": PUBLIC}
    authentication_classes: list = []

    def get(self, request):
        raise RuntimeError(MESSAGE)


def plain_boom(request):
    raise RuntimeError(MESSAGE)


urlpatterns = [
    path("boom/", Boom.as_view()),
    path("plain-boom/", plain_boom),
]
handler500 = "clinic.core.api.fallback_views.server_error"
