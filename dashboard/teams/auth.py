"""The signed-in user, loaded on every request with SQL compiled once (``dashboard.prepared``).

The same statement brings the user's preferences: the language and time zone of their profile (a
LEFT JOIN: no row until they save one) and the default time zone of their first team that has one,
so that ``dashboard.accounts.middleware`` knows how to speak to them without another query.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import OuterRef, Subquery

from dashboard.prepared import PreparedQuery, instance


def _user_columns() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields]


def _team_time_zone():
    from dashboard.teams.models import Membership

    return Subquery(
        Membership.objects.filter(user_id=OuterRef("pk"), team__time_zone__gt="")
        .order_by("created_at", "id")
        .values("team__time_zone")[:1]
    )


_USER_BY_ID = PreparedQuery(
    lambda user_id: (
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .annotate(_team_time_zone=_team_time_zone())
        .values_list(*_user_columns(), "profile__language", "profile__time_zone", "_team_time_zone")[:1]
    ),
    user_id=int,
)

#: (profile language, profile time zone, team time zone) of a user loaded by this backend.
PREFERENCES_ATTR = "_dashboard_preferences"


class ModelBackend(DjangoModelBackend):
    """Django's model backend (passwords, permissions, inactive users refused), with a cheaper ``get_user``."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        row = _USER_BY_ID.first(user_id=pk)
        if row is None:
            return None
        columns = _user_columns()
        user = instance(get_user_model(), columns, row[: len(columns)])
        setattr(user, PREFERENCES_ATTR, tuple(value or "" for value in row[len(columns) :]))
        return user if self.user_can_authenticate(user) else None
