"""The quota and billing pages' charts as data (``dashboard.charts``), drawn by ``static/js/charts.js``:
SPUs used and quota over time, and the total cost over time, one series per CS account."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dashboard import charts
from dashboard.usage.selectors import Series


def quota_chart_data(series: dict[str, list[Series]], *, cu: bool = False) -> charts.Chart:
    """SPUs used and quota over time (CS); with ``cu``, CUs of DLI projects."""
    lines = [
        charts.ChartSeries(_("%(account)s: used") % {"account": s.name}, list(s.points))
        for s in series["used"]
    ]
    lines += [
        charts.ChartSeries(_("%(account)s: quota") % {"account": s.name}, list(s.points))
        for s in series["quota"]
    ]
    if cu:
        return charts.Chart("cu-quota", _("CU use over time"), unit=_("CUs"), number="spu", series=lines)
    return charts.Chart("quota", _("SPU use over time"), unit=_("SPUs"), number="spu", series=lines)


def cost_chart_data(series: list[Series], unit: str = "") -> charts.Chart:
    return charts.Chart(
        "cost",
        _("Cost over time"),
        unit=unit,
        number="money",
        series=[charts.ChartSeries(s.name, list(s.points)) for s in series],
    )


def quota_chart(series: dict[str, list[Series]], *, cu: bool = False) -> SafeString:
    return charts.render(quota_chart_data(series, cu=cu), template="usage/_chart.html")


def cost_chart(series: list[Series], unit: str = "") -> SafeString:
    return charts.render(cost_chart_data(series, unit), template="usage/_chart.html")


def dli_cost_chart(series: list[Series]) -> SafeString:
    """The DLI estimate accumulated over the billing period, one series per DLI account."""
    chart = charts.Chart(
        "dli-cost",
        _("Estimated DLI cost over the period"),
        unit="",
        number="money",
        series=[charts.ChartSeries(s.name, list(s.points)) for s in series],
    )
    return charts.render(chart, template="usage/_chart.html")
