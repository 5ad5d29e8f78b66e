"""The format of the content each sign-off binds to (``SignOff.snapshot_version``).

The sign-offs recorded so far hashed content that names people, assessments and consultations
by their database keys: they are version 1, for good, since their hash is recomputed in that
format. New sign-offs are version 2 (public identifiers).

The column is added with a database default of 1, which gives the existing rows their value as
the column is added, with no UPDATE (which the append-only trigger refuses on PostgreSQL); the
database default is then dropped, so a new row gets 2 from the model, and a row written without
a format is refused.

Unapplying it once version-2 sign-offs exist is refused: they would come back as version 1 and
their hashes would be recomputed in the wrong format, so they would all look out of date.
"""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

CHOICES = [
    (1, "Version 1: objects named by their database keys"),
    (2, "Version 2: objects named by their public identifiers"),
]


def refuse_if_version_2(apps, schema_editor):
    signoff = apps.get_model("oversight", "SignOff")
    if (
        signoff._base_manager.using(schema_editor.connection.alias)
        .filter(snapshot_version=2)
        .exists()
    ):
        raise IrreversibleError(
            "Sign-offs in format 2 exist: without their snapshot_version they would be taken "
            "for format 1 and all look out of date."
        )


class Migration(migrations.Migration):
    dependencies = [("oversight", "0004_public_ids")]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="snapshot_version",
            field=models.PositiveSmallIntegerField(
                choices=CHOICES,
                db_default=1,
                help_text="The content hash is recomputed in this format.",
                verbose_name="format of the content signed",
            ),
        ),
        migrations.AlterField(
            model_name="signoff",
            name="snapshot_version",
            field=models.PositiveSmallIntegerField(
                choices=CHOICES,
                default=2,
                help_text="The content hash is recomputed in this format.",
                verbose_name="format of the content signed",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(("snapshot_version__in", [1, 2])),
                name="known_snapshot_version",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, refuse_if_version_2),
    ]
