"""Write requests are validated by the product's own forms (which apply ``csapi.limits`` and
``csapi.validation``), so the API and the pages accept and refuse exactly the same things.

:func:`bind` runs a form over the request body (JSON or multipart) and raises the API's validation
error with the form's messages per field. :func:`request_serializer` describes a form's fields as a
serializer for the OpenAPI schema only (validation stays in the form).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers


def body_of(request, list_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request body as a plain dict: of a form or multipart body the last value per key, files
    aside, and for ``list_fields`` every non-blank value of the repeated key."""
    data = request.data
    if hasattr(data, "dict"):
        body = {k: v for k, v in data.dict().items() if k not in request.FILES}
        for key in list_fields:
            if key in data:
                body[key] = [v for v in data.getlist(key) if v != ""]
        return body
    if not isinstance(data, Mapping):
        raise exceptions.ValidationError({"non_field_errors": [_("The request body must be a JSON object.")]})
    return dict(data)


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def bind(form_class: type[forms.Form], data: Mapping[str, Any], files=None, **kwargs: Any) -> forms.Form:
    form = form_class(data, files, **kwargs)
    if not form.is_valid():
        raise exceptions.ValidationError(form_errors(form))
    return form


def add_cs_error_or_raise(form, exc, field_by_code: Mapping[str, str]):
    """A CS error about one field of the form becomes a validation error on that field."""
    if form.add_cs_error(exc, field_by_code):
        raise exceptions.ValidationError(form_errors(form)) from exc
    raise exc


_registry: dict[str, type[serializers.Serializer]] = {}


def _field_for(field: forms.Field, *, dynamic: bool, partial: bool) -> serializers.Field:
    common: dict[str, Any] = {
        "required": field.required and not partial,
        "help_text": str(field.help_text or field.label or ""),
    }
    if isinstance(field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(default=False, **{**common, "required": False})
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=True, **common)
    if isinstance(field, forms.ChoiceField) and not dynamic:
        choices = [c for c, _label in field.choices if c != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=not field.required, **common)
    return serializers.CharField(allow_blank=not field.required, **common)


def request_serializer(
    name: str,
    form_class: type[forms.Form],
    *,
    dynamic: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    extra: Mapping[str, serializers.Field] | None = None,
    partial: bool = False,
    form_kwargs: Mapping[str, Any] | None = None,
) -> type[serializers.Serializer]:
    """A serializer class named ``name`` describing ``form_class``'s fields (for the schema).

    ``dynamic`` names choice fields whose choices depend on the team (credentials, clusters): they
    are documented as strings.
    """
    if name in _registry:
        return _registry[name]
    form = form_class(**(form_kwargs or {}))
    attrs: dict[str, Any] = {}
    for field_name, field in form.fields.items():
        if field_name in exclude:
            continue
        attrs[field_name] = _field_for(field, dynamic=field_name in dynamic, partial=partial)
    attrs.update(extra or {})
    klass = type(name, (serializers.Serializer,), attrs)
    _registry[name] = klass
    return klass
