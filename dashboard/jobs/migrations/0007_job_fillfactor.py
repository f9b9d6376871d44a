"""Half of each page of the jobs table left free (PostgreSQL).

The metrics sync rewrites the latest figures of every running job on every cycle (for a team of 20,000
jobs, thousands of rows twice a minute). None of those columns is indexed, so with room on the row's
page PostgreSQL updates it in place ("HOT"): no new entry in each of the table's indexes, and the old
version is reclaimed when the page is next read, without waiting for a vacuum. With full pages every
such update moved the row and added an entry to every index, and the job list's index scans walked
the dead entries until the next vacuum.
"""

from django.db import migrations

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE jobs_job SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE jobs_job RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0006_job_dli_db_defaults"),
    ]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
