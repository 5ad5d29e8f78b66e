"""Public identifiers: the random UUIDs that name a body's objects in page addresses and the API.

Primary keys stay integers inside the database (foreign keys, joins, the audit log); an address
or an API payload names an object only by its ``uuid``, so nobody can count through a body's
records or tell how many another body holds (QUALITY.md S4). Each model that a URL or the API
names inherits :class:`PublicIdModel`; its migration adds the column with :func:`add_public_id`.
"""

import uuid

from django.db import migrations, models
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    uuid = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def add_public_id(app_label: str, model_name: str, *, immutable_trigger: str = "") -> list:
    """The operations that give the existing rows of ``model_name`` a public identifier each.

    A callable default would give every existing row the same value, so the column is added
    empty, filled row by row and only then made unique and required. ``immutable_trigger``
    names a PostgreSQL trigger that refuses updates (append-only tables): it is switched off
    while the column is filled, inside the migration's transaction.
    """

    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        if schema_editor.connection.vendor == "postgresql":
            if immutable_trigger:
                schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {immutable_trigger}")
            # The table name comes from the model and is quoted; nothing here is user input.
            schema_editor.execute(f"UPDATE {table} SET uuid = gen_random_uuid()")  # noqa: S608
            if immutable_trigger:
                schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {immutable_trigger}")
            return
        for pk in model._base_manager.values_list("pk", flat=True):
            model._base_manager.filter(pk=pk).update(uuid=uuid.uuid4())

    return [
        migrations.AddField(model_name, "uuid", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name,
            "uuid",
            models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                unique=True,
                verbose_name=_("public identifier"),
            ),
        ),
    ]


def has_public_id(model) -> bool:
    return any(field.name == "uuid" for field in model._meta.concrete_fields)


def public_id_of(obj: models.Model) -> str:
    """How GovReg names ``obj`` outside the database: its UUID, or its slug (bodies, councils
    and unions)."""
    if has_public_id(type(obj)):
        return str(obj.uuid)
    if any(field.name == "slug" for field in obj._meta.concrete_fields):
        return obj.slug
    raise TypeError(f"{obj._meta.label} has no public identifier")


def parse_public_id(value) -> uuid.UUID | None:
    """The UUID ``value`` spells, or ``None`` for anything else (an integer id included)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def public_id_or_404(value: str | None) -> uuid.UUID:
    """The UUID a query parameter gives, or a 404 for anything else (``?with=12``, ``?from=x``)."""
    public_id = parse_public_id(value)
    if public_id is None:
        raise Http404
    return public_id
