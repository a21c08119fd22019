"""Audit plumbing shared by every domain app: history with the actor, and the
refusal to hard-delete clinical records (model, queryset and admin)."""

from typing import Any

from django.db import models

from clinic.core.errors import DeletionRefused
from clinic.core.users import User


def audited_save(
    instance: models.Model,
    *,
    actor: User,
    reason: str = "",
    **save_kwargs: Any,
) -> None:
    """Save and attribute the history row to `actor`, whatever the entry point.

    The admin and API also set the actor through simple-history's middleware,
    but services are called from commands too, so they always pass it.
    """
    # simple-history reads both off the instance; no stub declares them.
    instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(**save_kwargs)


class NoDeleteQuerySet(models.QuerySet[Any]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(
            f"{self.model._meta.verbose_name_plural} are never deleted."
        )


class NoDeleteModel(models.Model):
    """Base for clinical records: deactivate, withdraw, cancel or amend instead.

    Foreign keys pointing at these models must use PROTECT so nothing cascades.
    """

    objects = NoDeleteQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DeletionRefused(f"A {self._meta.verbose_name} is never deleted.")


class NoDeleteAdminMixin:
    """Admin side of NoDeleteModel: no delete button, no bulk delete action."""

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
