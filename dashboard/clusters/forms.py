"""Forms for cluster, host-mapping, peering and route writes.

Every rule and limit comes from ``csapi.validation`` / ``csapi.limits``: a form builds the request body
CS would receive, runs the same validator the emulator runs, and puts each violation on its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from csapi import limits, validation
from csapi.dli import limits as dli_limits
from csapi.errors import ERROR_FIELDS
from csapi.validation import Violation


def field_of(violation_field: str, form: forms.Form) -> str | None:
    """The form field a validator's field path (``hosts_info[0].ip``, ``route.destination``) belongs to."""
    name = violation_field.split(":", 1)[0]
    for part in reversed(name.replace("]", "").replace("[", ".").split(".")):
        if part in form.fields:
            return part
    return None


def add_violations(
    form: forms.Form, violations: Iterable[Violation], aliases: Mapping[str, str] | None = None
):
    """Put each violation on its field (or above the form), prefixed with nothing but its message."""
    for violation in violations:
        field = field_of(violation.field, form)
        if field is None and aliases:
            field = aliases.get(violation.field.split(".")[-1])
        if field is not None and field in form.fields:
            if field not in form.errors or violation.message not in form.errors[field]:
                form.add_error(field, violation.message)
        else:
            form.add_error(None, violation.message)


def _interpolate(message, values: Mapping) -> str:
    return message % values


#: ``message % values`` left until the text is shown, in the language of the page showing it (a form's
#: class attributes are built once, at import).
interpolate_lazy = lazy(_interpolate, str)


def cs_error_field(form: forms.Form, code: str | None) -> str | None:
    """The field of ``form`` a CS error code concerns, if the form has it."""
    field = ERROR_FIELDS.get(code or "")
    return field if field in form.fields else None


class _BodyForm(forms.Form):
    """A form whose cleaned data becomes a CS request body checked by one ``csapi.validation`` rule."""

    aliases: Mapping[str, str] = {}

    def body(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "") and k in self.body_fields}

    body_fields: tuple[str, ...] = ()

    def violations(self, body: dict) -> list[Violation]:  # pragma: no cover - overridden
        return []

    def clean(self):
        cleaned = super().clean()
        # Fields that already failed (required, not a number) are left out of the body; report the
        # other fields' violations only, so one mistake does not hide the rest.
        failed = set(self.errors)
        found = self.violations(self.body())
        if failed:
            found = [v for v in found if field_of(v.field, self) not in failed | {None}]
        add_violations(self, found, self.aliases)
        return cleaned


def _text(
    label: str, *, required: bool = False, help_text: str = "", textarea: bool = False
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput,
    )


class ClusterForm(_BodyForm):
    """Create (5.3.1) or update (5.3.5) an exclusive cluster."""

    name = _text(
        _("Name"),
        required=True,
        help_text=interpolate_lazy(
            _("Letters, digits, _ and -; at most %(max)s bytes."), {"max": limits.CLUSTER_NAME_MAX_BYTES}
        ),
    )
    desc = _text(
        _("Description"),
        textarea=True,
        help_text=interpolate_lazy(_("At most %(max)s bytes."), {"max": limits.CLUSTER_DESC_MAX_BYTES}),
    )
    maximum_spu_quota = forms.IntegerField(
        label=_("Maximum SPU quota"),
        required=False,
        help_text=interpolate_lazy(
            _("%(min)s to %(max)s SPUs."),
            {"min": limits.CLUSTER_SPU_QUOTA_MIN, "max": limits.CLUSTER_SPU_QUOTA_MAX},
        ),
    )
    vpc_cidr = _text(_("VPC CIDR"), help_text=_("For example 172.16.0.0/23."))
    subnet_cidr = _text(_("Subnet CIDR"), help_text=_("Inside the VPC CIDR, for example 172.16.0.0/23."))
    subnet_gateway = _text(_("Subnet gateway"), help_text=_("A host address of the subnet, e.g. 172.16.0.1."))
    manager_node_spec = _text(
        _("Manager node SPUs"), help_text=_("SPU specification of the management nodes.")
    )

    body_fields = (
        "name",
        "desc",
        "maximum_spu_quota",
        "vpc_cidr",
        "subnet_cidr",
        "subnet_gateway",
        "manager_node_spec",
    )
    aliases = {"manager_node_spu": "manager_node_spec"}

    def __init__(self, *args, update: bool = False, credentials=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.update = update
        if update:
            for name in ("vpc_cidr", "subnet_cidr", "subnet_gateway"):
                del self.fields[name]
            self.fields["manager_node_spec"].label = _("Manager node SPUs")
        elif credentials is not None:
            self.fields = {
                "credential": forms.ModelChoiceField(
                    label=_("CS account"),
                    queryset=credentials,
                    to_field_name="public_id",
                    empty_label=None,
                ),
                **self.fields,
            }

    def body(self) -> dict:
        body = super().body()
        if self.update and "manager_node_spec" in body:
            body["manager_node_spu"] = body.pop("manager_node_spec")
        return body

    def violations(self, body: dict) -> list[Violation]:
        return validation.validate_cluster(body, update=self.update)


class HostForm(_BodyForm):
    """One IP-domain mapping (5.3.9, 5.3.10)."""

    ip = _text(_("IP address"), required=True, help_text=_("IPv4 or IPv6, e.g. 192.168.0.10."))
    hostname = _text(_("Domain name"), required=True, help_text=_("e.g. kafka-1.internal."))
    body_fields = ("ip", "hostname")

    def violations(self, body: dict) -> list[Violation]:
        return validation.validate_hosts_add({"hosts_info": [body]})


class HostsUploadForm(forms.Form):
    """A hosts file (5.3.13), checked line by line before it is sent."""

    hosts_file = forms.FileField(
        label=_("hosts file"),
        help_text=interpolate_lazy(
            _(
                "One mapping per line: ip hostname [hostname ...]; at most %(megabytes)s MB and %(max)s mappings."
            ),
            {
                "megabytes": limits.HOSTS_FILE_MAX_BYTES // (1024 * 1024),
                "max": f"{limits.HOST_MAPPINGS_MAX:,}",
            },
        ),
    )

    def clean_hosts_file(self):
        upload = self.cleaned_data["hosts_file"]
        if upload.size > limits.HOSTS_FILE_MAX_BYTES:
            # Refused from its size alone: an oversized upload is never read into memory.
            raise forms.ValidationError(
                _("The hosts file is %(size)s bytes; at most %(max)s are allowed.")
                % {"size": f"{upload.size:,}", "max": f"{limits.HOSTS_FILE_MAX_BYTES:,}"}
            )
        data = upload.read()
        mappings, violations = validation.parse_hosts_file(data)
        if violations:
            more = len(violations) - 50
            raise forms.ValidationError(
                [v.message for v in violations[:50]]
                + (
                    [ngettext("... and %(n)s more error.", "... and %(n)s more errors.", more) % {"n": more}]
                    if more > 0
                    else []
                )
            )
        self.mappings = mappings
        self.data_bytes = data
        return upload


class PeeringForm(_BodyForm):
    """Create a VPC peering connection (5.3.17)."""

    name = _text(
        _("Name"),
        required=True,
        help_text=interpolate_lazy(_("At most %(max)s bytes."), {"max": limits.PEERING_NAME_MAX_BYTES}),
    )
    vpc_id = _text(_("Peer VPC id"), required=True, help_text=_("The VPC to connect to (a UUID)."))
    accept_tenant_id = _text(
        _("Peer tenant id"), help_text=_("For a VPC of another tenant; blank for your own.")
    )
    body_fields = ("name", "vpc_id", "accept_tenant_id")

    def violations(self, body: dict) -> list[Violation]:
        return validation.validate_peering(body)


class PeeringAcceptForm(forms.Form):
    """Accept a peering request another tenant sent to one of your VPCs (5.3.21)."""

    peering_id = _text(_("Peering request id"), required=True)


class RouteForm(_BodyForm):
    """A route to the local VPC (5.3.22)."""

    destination = _text(_("Destination CIDR"), required=True, help_text=_("e.g. 192.168.0.0/16."))
    body_fields = ("destination",)

    def violations(self, body: dict) -> list[Violation]:
        return validation.validate_route(body)


class PeerRouteForm(_BodyForm):
    """A route to the peer VPC (5.3.23): traffic from the peer VPC to ``destination`` goes over the peering."""

    destination = _text(
        _("Destination CIDR"), required=True, help_text=_("e.g. 172.16.0.0/23 (the cluster's VPC).")
    )
    vpc_id = _text(_("Peer VPC id"), required=True, help_text=_("The VPC the route is added to (a UUID)."))
    body_fields = ("destination", "vpc_id")

    def __init__(self, *args, peering_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.peering_id = peering_id

    def violations(self, body: dict) -> list[Violation]:
        route = {"type": "peering", "nexthop": self.peering_id, **body}
        return validation.validate_peer_route({"route": route})


class HostsDeleteForm(forms.Form):
    hosts_id = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Mappings"))

    def __init__(self, *args, host_ids: Iterable[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hosts_id"].choices = [(str(i), str(i)) for i in host_ids]


def _cu_price_field() -> forms.DecimalField:
    """The form field of ``Queue.cu_price``: its digits and places are the column's (one place)."""
    from dashboard.clusters.models import Queue

    column = Queue._meta.get_field("cu_price")
    field = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=column.max_digits,
        decimal_places=column.decimal_places,
        label=_("Price per CU-hour"),
        help_text=_("Leave blank for no price: the estimate then says the queue has none."),
    )
    field.widget.attrs.update(step="0.0001", min="0", inputmode="decimal")
    return field


class QueuePriceForm(forms.Form):
    """The price of one CU-hour of a DLI queue, set by a lead (DLI has no billing overview): what the
    billing page's estimate multiplies each run's CU-hours on the queue by. Blank clears the price."""

    credential = forms.UUIDField(widget=forms.HiddenInput)
    queue = forms.CharField(max_length=dli_limits.QUEUE_NAME_MAX_CHARS, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cu_price"] = _cu_price_field()
