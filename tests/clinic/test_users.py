import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.request import Request

from clinic.core.users import User, acting_user


def test_user_is_the_configured_user_model():
    assert User is get_user_model()


@pytest.mark.django_db
def test_acting_user_is_the_signed_in_user(clinician):
    request = RequestFactory().post("/")
    request.user = clinician
    assert acting_user(request) is clinician
    api_request = Request(request)
    api_request.user = clinician
    assert acting_user(api_request) is clinician


def test_an_anonymous_request_never_acts():
    request = RequestFactory().post("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        acting_user(request)
    api_request = Request(request)
    api_request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        acting_user(api_request)
