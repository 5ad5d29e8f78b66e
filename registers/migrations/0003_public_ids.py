"""Public identifiers for the objects that page addresses and the API name (QUALITY.md S4)."""

from django.db import migrations

from govreg.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [("registers", "0002_register_order_indexes")]
    operations = [
        *add_public_id("registers", "algorithmicsystem"),
    ]
