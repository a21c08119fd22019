"""Baselines served by the same project through the same middleware.

- `floor`: a plain Django view returning constant JSON (the floor of the
  stack: routing and middleware, nothing else);
- `AuthProbe`: the API's authentication and permission classes, then
  constant JSON ("authenticated endpoint, no DB beyond auth");
- `raw_patient`, `raw_week`, `raw_insert`: the least work that answers the
  same question as a product endpoint (one primary-key row; a week's
  appointment rows; one appointment row inserted), without DRF, services or
  serializers. Reachable only with DJANGO_SETTINGS_MODULE=bench.settings.
"""

import datetime as dt
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clinic.core.api.permissions import AUTHENTICATED
from clinic.models import Appointment
from patients.models import Patient

CONSTANT = {"ok": True, "service": "clinic", "version": 1}
WEEK_COLUMNS = ("practitioner_id", "room_id", "type_id", "starts_at", "blocks_until")


def floor(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


class AuthProbe(APIView):
    role_rules = {"get": AUTHENTICATED}

    def get(self, request: Request) -> Response:
        return Response(CONSTANT)


def raw_patient(request: HttpRequest, pk: int) -> JsonResponse:
    row = Patient.objects.filter(pk=pk).values().first()
    if row is None:
        return JsonResponse({}, status=404)
    return JsonResponse({k: _plain(v) for k, v in row.items()})


def _plain(value: object) -> object:
    return value if isinstance(value, int | str | bool | type(None)) else str(value)


def raw_week(request: HttpRequest) -> JsonResponse:
    """The appointment rows the availability search reads for one week: active
    ones blocking [from, to + 1 day) for the practitioner or location given."""
    start = dt.datetime.fromisoformat(request.GET["from"]).replace(tzinfo=dt.UTC)
    end = dt.datetime.fromisoformat(request.GET["to"]).replace(
        tzinfo=dt.UTC
    ) + dt.timedelta(days=1)
    rows = Appointment.objects.active().blocking(start, end)
    if "practitioner" in request.GET:
        rows = rows.filter(practitioner=request.GET["practitioner"])
    if "location" in request.GET:
        rows = rows.filter(room__location=request.GET["location"])
    return JsonResponse({"rows": list(rows.values_list(*WEEK_COLUMNS))})


@csrf_exempt
def raw_insert(request: HttpRequest) -> JsonResponse:
    """One appointment row, as the booking endpoint would store it, with no
    checks at all (the body names a free slot)."""
    body = json.loads(request.body)
    starts = dt.datetime.fromisoformat(body["starts_at"])
    ends = dt.datetime.fromisoformat(body["ends_at"])
    [row] = Appointment.objects.bulk_create(  # one INSERT: no signals, no history
        [
            Appointment(
                patient_id=body["patient_id"],
                practitioner_id=body["practitioner"],
                room_id=body["room"],
                type_id=body["type"],
                starts_at=starts,
                ends_at=ends,
                blocks_until=dt.datetime.fromisoformat(body["blocks_until"]),
                created_by_id=body["created_by"],
            )
        ]
    )
    return JsonResponse({"id": str(row.public_id)}, status=201)
