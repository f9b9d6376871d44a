"""The vocabulary's labels (statuses, job types, options) are shown in the person's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from csapi import vocab


def test_every_label_of_the_vocabulary_has_a_chinese_translation():
    with translation.override("zh-hans"):
        missing = sorted(label for label in vocab.LABELS if translation.gettext(label) == label)
    assert not missing, missing


@pytest.mark.parametrize(
    ("read", "english", "chinese"),
    [
        (lambda: vocab.job_status(vocab.JOB_RUNNING).label, "Running", "运行中"),
        (lambda: vocab.job_status("running").label, "Running", "运行中"),  # an alias
        (lambda: vocab.JOB_TYPES[vocab.FLINK_JAR_JOB], "User-defined Flink job", "Flink 自定义作业"),
        (lambda: dict(vocab.JOB_LIST_STATUS_FILTERS)[vocab.JOB_INIT], "Draft", "草稿"),
        (lambda: vocab.time_unit_label("HOUR"), "hour", "小时"),  # CS's billing overview's unit
        (
            lambda: vocab.CLUSTER_STATUS_BY_NAME["cluster_running"].description,
            "A cluster is running.",
            "集群正在运行。",
        ),
    ],
)
def test_a_label_follows_the_active_language_wherever_it_is_read(read, english, chinese):
    with translation.override("en"):
        assert str(read()) == english
    with translation.override("zh-hans"):
        assert str(read()) == chinese


def test_the_job_list_shows_statuses_in_the_language_of_each_reader(login, roles, cs_credential):
    from dashboard.polling.services import sync_all

    assert all(r.ok for r in sync_all(cs_credential.pk).values())
    client = login(roles.lead)
    english = client.get(f"/t/{roles.team.slug}/jobs/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Running<" in english  # rendered (and its badges built) in English first
    chinese = client.get(f"/t/{roles.team.slug}/jobs/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "运行中" in chinese and ">Running<" not in chinese


def test_a_job_without_a_status_is_unknown_in_the_readers_language():
    from django.utils import translation

    from csapi import vocab

    with translation.override("zh-hans"):
        assert str(vocab.job_status("").label) == "未知"
    with translation.override("en"):
        assert str(vocab.job_status(None).label) == "Unknown"
