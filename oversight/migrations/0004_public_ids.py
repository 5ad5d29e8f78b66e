"""Public identifiers for the objects that page addresses and the API name (QUALITY.md S4)."""

from django.db import migrations

from govreg.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_audit_next_review_optional")]
    operations = [
        *add_public_id("oversight", "signoff", immutable_trigger="oversight_signoff_immutable"),
        *add_public_id(
            "oversight",
            "postdeploymentaudit",
            immutable_trigger="oversight_postdeploymentaudit_immutable",
        ),
    ]
