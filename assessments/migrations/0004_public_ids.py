"""Public identifiers for the objects that page addresses and the API name (QUALITY.md S4)."""

from django.db import migrations

from govreg.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_published_questionnaires_are_immutable")]
    operations = [
        *add_public_id("assessments", "assessment", immutable_trigger="assessments_frozen_version"),
        *add_public_id("assessments", "risk"),
        *add_public_id("assessments", "action"),
    ]
