"""Move the chain heads' id sequence past the existing row.

Before chains per body, the single chain head was created with an explicit id (1), which on
PostgreSQL leaves the table's id sequence unused: the first body chain head created after the
upgrade would then be given id 1 as well, and every write of that body would fail. This resets
the sequence to the largest id (nothing to do on SQLite, which numbers from the largest id).
"""

from django.core.management.color import no_style
from django.db import migrations


def reset_sequence(apps, schema_editor):
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(
        no_style(), [apps.get_model("audit", "ChainHead")]
    ):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_per_body")]
    operations = [migrations.RunPython(reset_sequence, migrations.RunPython.noop)]
