"""The job page's open incidents, from one selector (so the job template needs one line)."""

from django import template

from dashboard.alerts.selectors import open_incidents_for_job

register = template.Library()


@register.inclusion_tag("alerts/_job_incidents.html")
def job_incidents(job, team):
    return {"incidents": open_incidents_for_job(job), "team": team}
