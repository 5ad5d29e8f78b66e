"""Changes to a body's records made outside GovReg (bulk updates, raw SQL) are captured by the
database and recorded in the audit log (``audit.outside``). This adds the table they are kept
in, the transaction key on each audit event, and the PostgreSQL functions; the capture
trigger on each table is installed after every migration (``audit.outside.install``)."""

from django.db import migrations, models


# The key of the current transaction: its id with its start time, so that a key is never
# reused, not even by a database restored into a new cluster (whose transaction ids restart).
# The audit log's BEFORE INSERT trigger stamps it on each event; the capture trigger compares.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_transaction_key() RETURNS text AS $$
    SELECT pg_current_xact_id()::text || '@'
        || to_char(transaction_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
$$ LANGUAGE sql VOLATILE;

CREATE OR REPLACE FUNCTION audit_event_stamp_transaction() RETURNS trigger AS $$
BEGIN
    IF NEW.transaction = '' THEN
        NEW.transaction := audit_transaction_key();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_stamp_transaction
    BEFORE INSERT ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_stamp_transaction();

-- At COMMIT (a deferred constraint trigger on each table of a body's records): a row changed
-- by a transaction that recorded no audit event is kept, with what changed and the role that
-- signed in. It runs as the schema's owner, so a role without rights on the table of captured
-- changes (a read-write analyst's, say) is still captured rather than refused.
CREATE OR REPLACE FUNCTION audit_capture_outside_change() RETURNS trigger AS $$
DECLARE
    key text := audit_transaction_key();
    old_row jsonb;
    new_row jsonb;
    changed jsonb := '{}'::jsonb;
BEGIN
    -- Covered: the transaction wrote an audit event, or is about to (``audit.services.
    -- _check_references`` runs the deferred checks early, just before writing it).
    IF current_setting('govreg.audit_pending', true) = key
       OR EXISTS (SELECT 1 FROM audit_auditevent WHERE transaction = key) THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_object_agg(n.key, jsonb_build_array(old_row -> n.key, n.value)),
                        '{}'::jsonb)
          INTO changed
          FROM jsonb_each(new_row) AS n
         WHERE old_row -> n.key IS DISTINCT FROM n.value;
        IF changed = '{}'::jsonb THEN
            RETURN NULL;  -- an UPDATE that changed nothing
        END IF;
    END IF;
    INSERT INTO audit_outsidechange
        (transaction, recorded_at, table_name, operation, row_id, "row", changes, database_user)
    VALUES (key, clock_timestamp(), TG_TABLE_NAME, TG_OP,
            coalesce(new_row, old_row) ->> 'id', coalesce(new_row, old_row), changed,
            session_user);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT;

CREATE OR REPLACE FUNCTION audit_outside_change_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_outsidechange is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_outside_change_append_only
    BEFORE UPDATE OR DELETE ON audit_outsidechange
    FOR EACH ROW EXECUTE FUNCTION audit_outside_change_is_append_only();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS audit_outside_change_append_only ON audit_outsidechange;
DROP FUNCTION IF EXISTS audit_outside_change_is_append_only();
DROP FUNCTION IF EXISTS audit_capture_outside_change() CASCADE;
DROP TRIGGER IF EXISTS audit_event_stamp_transaction ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_stamp_transaction();
DROP FUNCTION IF EXISTS audit_transaction_key();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTIONS, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_chain_head_id_sequence'),
    ]

    operations = [
        migrations.CreateModel(
            name='OutsideChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('transaction', models.CharField(db_index=True, max_length=64, verbose_name='database transaction')),
                ('recorded_at', models.DateTimeField(verbose_name='when')),
                ('table_name', models.CharField(max_length=100, verbose_name='table')),
                ('operation', models.CharField(max_length=6, verbose_name='operation')),
                ('row_id', models.CharField(max_length=64, verbose_name='row')),
                ('row', models.JSONField(help_text='After an INSERT or UPDATE; before a DELETE.', verbose_name='row')),
                ('changes', models.JSONField(default=dict, help_text='UPDATE: {column: [old, new]}', verbose_name='changes')),
                ('database_user', models.CharField(max_length=100, verbose_name='database role')),
            ],
            options={
                'verbose_name': 'change made outside GovReg',
                'verbose_name_plural': 'changes made outside GovReg',
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='transaction',
            field=models.CharField(blank=True, db_default='', db_index=True, default='', max_length=64, verbose_name='database transaction'),
        ),
        migrations.RunPython(create, drop),
    ]

