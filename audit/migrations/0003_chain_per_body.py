"""One audit chain per body, and one for the installation.

Adds ``AuditEvent.chain`` (0: the installation chain) and ``ChainHead.chain`` and ``base``;
positions become unique per chain. Every existing event and the existing chain head belong
to the installation chain, and get there through the columns' default: no row of the
append-only event table is updated (the PostgreSQL trigger would refuse it, and nothing needs
rehashing: installation-chain events hash exactly the fields they always did). Adding a column
with a default fires no row trigger, on PostgreSQL or SQLite.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_refuse_update_delete")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveBigIntegerField(
                db_default=0,
                default=0,
                help_text="The organisation whose chain holds the event; 0 for the installation's.",
                verbose_name="chain",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="position",
            field=models.PositiveBigIntegerField(verbose_name="position"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "position"), name="audit_event_position_unique_per_chain"
            ),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["chain", "position"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
            },
        ),
        migrations.AddField(
            model_name="chainhead",
            name="chain",
            field=models.PositiveBigIntegerField(default=0, unique=True),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="base",
            field=models.PositiveBigIntegerField(
                default=0,
                help_text=(
                    "The chain's first position follows this one: the body's newest entry in the "
                    "installation chain when its own chain started (0 if none)."
                ),
            ),
        ),
    ]
