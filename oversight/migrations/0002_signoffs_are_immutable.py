"""On PostgreSQL, refuse UPDATE and DELETE of sign-offs, lifecycle moves and post-deployment
audits at the database level (the models refuse them too). TRUNCATE is left to the test
runner's flush; production revokes it from the application's role."""

from django.db import migrations

TABLES = (
    "oversight_signoff",
    "oversight_lifecycletransition",
    "oversight_postdeploymentaudit",
    "oversight_auditanswer",
    "oversight_biasresult",
)

FUNCTION = """
CREATE OR REPLACE FUNCTION oversight_row_is_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION oversight_row_is_immutable();",
            params=None,
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS oversight_row_is_immutable();", params=None)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_human_oversight")]
    operations = [migrations.RunPython(create, drop)]
