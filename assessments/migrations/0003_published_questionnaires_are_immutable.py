"""On PostgreSQL, refuse changes to a published or retired questionnaire's definition.

Every AIA records the questionnaire it answered; its score must never change. A published
questionnaire may only be retired; its questions, weights and rules stay as they were.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION assessments_questionnaire_is_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'questionnaire % is %: DELETE refused', OLD.id, OLD.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
           NEW.definition IS DISTINCT FROM OLD.definition
        OR NEW.sha256 IS DISTINCT FROM OLD.sha256
        OR NEW.slug IS DISTINCT FROM OLD.slug
        OR NEW.version IS DISTINCT FROM OLD.version
        OR NEW.max_raw IS DISTINCT FROM OLD.max_raw
        OR NEW.max_mitigation IS DISTINCT FROM OLD.max_mitigation
        OR NEW.status = 'draft'
        OR (OLD.status = 'retired' AND NEW.status <> 'retired')) THEN
        RAISE EXCEPTION 'questionnaire % is %: UPDATE refused', OLD.id, OLD.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_questionnaire_immutable
    BEFORE UPDATE OR DELETE ON assessments_questionnaire
    FOR EACH ROW EXECUTE FUNCTION assessments_questionnaire_is_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS assessments_questionnaire_immutable ON assessments_questionnaire;
DROP FUNCTION IF EXISTS assessments_questionnaire_is_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_freeze_approved_versions")]
    operations = [migrations.RunPython(create, drop)]
