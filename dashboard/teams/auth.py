"""The signed-in user, loaded on every request with SQL compiled once (``dashboard.prepared``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from dashboard.prepared import PreparedQuery, instance


def _user_columns() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields]


_USER_BY_ID = PreparedQuery(
    lambda user_id: get_user_model()._default_manager.filter(pk=user_id).values_list(*_user_columns())[:1],
    user_id=int,
)


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
        user = instance(get_user_model(), _user_columns(), row)
        return user if self.user_can_authenticate(user) else None
