"""A job's monitoring charts as data (``dashboard.charts``): records in and out, corrupted records, and
the read and write rates, from its metric samples; drawn in the browser by ``static/js/charts.js``."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboard import charts
from dashboard.jobs.models import MetricSample


def job_chart_data(samples: Sequence[MetricSample]) -> list[charts.Chart]:
    """The job's three charts (labels in the active language), oldest sample first."""

    def series(label: str, attr: str) -> charts.ChartSeries:
        return charts.ChartSeries(label, [(s.sampled_at, getattr(s, attr)) for s in samples])

    return [
        charts.Chart(
            "records",
            _("Records in and out"),
            unit=_("records"),
            number="count",
            series=[series(_("Records in"), "records_in"), series(_("Records out"), "records_out")],
        ),
        charts.Chart(
            "corrupted",
            _("Corrupted records"),
            unit=_("records"),
            number="count",
            series=[series(_("Corrupted records"), "corrupted_records")],
        ),
        charts.Chart(
            "rates",
            _("Read and write rate"),
            unit=_("records/s"),
            number="rate",
            series=[series(_("Read rate"), "read_rate"), series(_("Write rate"), "write_rate")],
        ),
    ]


def job_charts(samples: Sequence[MetricSample]) -> dict[str, SafeString]:
    """The HTML of each chart by key (records, corrupted, rates); empty without samples."""
    if not samples:
        return {}
    return charts.render_all(job_chart_data(samples))
