from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from clinic.core.api.fields import BoundedDateTimeField
from clinic.core.api.permissions import AUTHENTICATED, PUBLIC
from clinic.core.api.serializers import StrictInputMixin
from clinic.core.api.throttling import LoginRateThrottle
from clinic.core.errors import InvalidCredentials, NotTokenAuthenticated
from clinic.core.tokens import ApiToken, token_issue, token_revoke


class TokenRequestSerializer(StrictInputMixin, serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_at = BoundedDateTimeField()


class TokenView(APIView):
    """Exchange a username and password for an expiring token; DELETE revokes the
    token the request is made with."""

    role_rules = {"post": PUBLIC, "delete": AUTHENTICATED}

    def get_throttles(self) -> list[BaseThrottle]:
        # Logins are throttled per client address (shared with the admin
        # login, clinic.core.throttling); revoking is not.
        if self.request is not None and self.request.method == "POST":
            return [LoginRateThrottle()]
        return []

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Logging in must not trip over a stale token or session in the request.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={201: TokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise InvalidCredentials("Unknown username or wrong password.")
        token, raw_key = token_issue(user=user, now=timezone.now(), name="api")
        # Same signal as a session login: records last_login and lets the
        # lockout counter (django-axes) reset on success.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        return Response(
            TokenSerializer({"token": raw_key, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            204: None,
            400: inline_serializer("NoTokenError", {"code": serializers.CharField()}),
        },
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise NotTokenAuthenticated(
                "Only a token can be revoked; this request was not made with one."
            )
        token_revoke(token=request.auth, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
