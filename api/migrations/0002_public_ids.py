"""Public identifiers for the objects that page addresses and the API name (QUALITY.md S4)."""

from django.db import migrations

from govreg.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]
    operations = [
        *add_public_id("api", "apitoken"),
    ]
