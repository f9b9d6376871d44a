"""Page-number pagination for list endpoints, with the snapshot freshness beside the results."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from dashboard.api.serializers import FreshnessSerializer

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def envelope(self, data, extra: dict | None = None) -> dict:
        return {
            "count": self.page.paginator.count,
            "page": self.page.number,
            "pages": self.page.paginator.num_pages,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
            **(extra or {}),
        }


def paginated(request, view, items, serializer_class, *, extra: dict | None = None, context=None) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True, context=context or {"request": request}).data
    return Response(paginator.envelope(data, extra))


_pages: dict[str, type[serializers.Serializer]] = {}


def page_of(item: type[serializers.Serializer], *, freshness: bool = True) -> type[serializers.Serializer]:
    """The documented shape of a page of ``item`` (one class per item type, for the OpenAPI schema)."""
    name = item.__name__.removesuffix("Serializer") + "Page"
    if name not in _pages:
        fields = {
            "count": serializers.IntegerField(help_text="Items over all pages."),
            "page": serializers.IntegerField(),
            "pages": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        }
        if freshness:
            fields["freshness"] = FreshnessSerializer(
                help_text="How fresh the snapshots behind this list are."
            )
        _pages[name] = type(name + "Serializer", (serializers.Serializer,), fields)
    return _pages[name]
