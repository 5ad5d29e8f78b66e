"""On PostgreSQL, refuse changes to an approved or superseded assessment version.

Approving freezes a version: only its status may move on, from approved to superseded. The
services never do anything else; the trigger makes sure nothing else can either.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION assessments_version_is_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('approved', 'superseded') THEN
        IF NOT (OLD.status = 'approved' AND NEW.status IN ('approved', 'superseded'))
           OR NEW.content IS DISTINCT FROM OLD.content
           OR NEW.kind IS DISTINCT FROM OLD.kind
           OR NEW.version IS DISTINCT FROM OLD.version
           OR NEW.system_id IS DISTINCT FROM OLD.system_id
           OR NEW.questionnaire_id IS DISTINCT FROM OLD.questionnaire_id
           OR NEW.prepared_by_id IS DISTINCT FROM OLD.prepared_by_id
           OR NEW.submitted_by_id IS DISTINCT FROM OLD.submitted_by_id
           OR NEW.approved_by_id IS DISTINCT FROM OLD.approved_by_id
           OR NEW.approved_at IS DISTINCT FROM OLD.approved_at
           OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
           OR NEW.result IS DISTINCT FROM OLD.result
           OR NEW.level IS DISTINCT FROM OLD.level
           OR NEW.next_review_due IS DISTINCT FROM OLD.next_review_due THEN
            RAISE EXCEPTION 'assessment version % is frozen: % refused', OLD.id, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_frozen_version
    BEFORE UPDATE ON assessments_assessment
    FOR EACH ROW EXECUTE FUNCTION assessments_version_is_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS assessments_frozen_version ON assessments_assessment;
DROP FUNCTION IF EXISTS assessments_version_is_frozen();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_assessments_risks_actions")]
    operations = [migrations.RunPython(create, drop)]
