"""Public identifiers for the objects that page addresses and the API name (QUALITY.md S4)."""

from django.db import migrations

from govreg.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_consultations_concerns_rights")]
    operations = [
        *add_public_id("consultations", "consultation"),
        *add_public_id("consultations", "meeting"),
        *add_public_id("consultations", "comment"),
        *add_public_id("consultations", "concern"),
        *add_public_id("consultations", "rightsrequest"),
    ]
