"""Migration notifications 0003: links written by database key are rewritten to public ids."""

from importlib import import_module

import pytest
from django.apps import apps

from consultations import services as consultations
from consultations.choices import Stage
from notifications.models import Notification
from oversight import services as oversight
from oversight.choices import Decision
from tests.oversight.test_audits import record

pytestmark = pytest.mark.django_db

migration = import_module("notifications.migrations.0003_links_by_public_id")


@pytest.fixture
def objects(system, cast):
    """A consultation, a formal concern, a sign-off and a post-deployment audit of ``system``."""
    consultation = consultations.create_consultation(
        actor=cast.hr,
        system=system,
        stage=Stage.DEPLOYMENT,
        unions=[cast.rep.memberships.get().union],
        summary="Going live.",
    )
    concern = consultations.raise_concern(
        actor=cast.rep,
        system=system,
        category="INTENS",
        summary="Breaks squeezed",
        details="The rota leaves no time for breaks.",
    )
    signoff = oversight.sign_off(
        system,
        actor=cast.manager,
        decision=Decision.REFUSED,
        statement="Not until the consultation concludes.",
        reauthenticated_with="password",
    )
    system.lifecycle_stage = "in_use"
    system.employment_decisions = ["scheduling"]
    system.save(update_fields=["lifecycle_stage", "employment_decisions"])
    audit = record(system, cast.hr)
    return consultation, concern, signoff, audit


def notification(user, url):
    return Notification.objects.create(
        user=user, event="test.event", subject="s", body="b", url=url
    )


def rewritten(*rows):
    migration.rewrite_links(apps, None)
    return [Notification.objects.get(pk=row.pk).url for row in rows]


def test_links_by_database_key_point_at_the_same_pages_by_public_id(client, system, cast, objects):
    consultation, concern, signoff, audit = objects
    s = system
    links = {
        f"/systems/{s.pk}/consultation/{consultation.pk}/": (
            f"/systems/{s.uuid}/consultation/{consultation.uuid}/"
        ),
        f"/systems/{s.pk}/consultation/{consultation.pk}/#disclosures": (
            f"/systems/{s.uuid}/consultation/{consultation.uuid}/#disclosures"
        ),
        f"/cy/systems/{s.pk}/concerns/{concern.pk}/": f"/cy/systems/{s.uuid}/concerns/{concern.uuid}/",
        f"/systems/{s.pk}/sign-off/{signoff.pk}/": f"/systems/{s.uuid}/sign-off/{signoff.uuid}/",
        f"/systems/{s.pk}/sign-off/": f"/systems/{s.uuid}/sign-off/",
        f"/systems/{s.pk}/#oversight": f"/systems/{s.uuid}/#oversight",
        f"/systems/{s.pk}/audits/{audit.pk}/": f"/systems/{s.uuid}/audits/{audit.uuid}/",
    }
    rows = [notification(cast.manager, old) for old in links]
    assert rewritten(*rows) == list(links.values())
    # and the pages open (the notification's person may see them)
    client.force_login(cast.manager)
    for url in links.values():
        assert client.get(url.split("#")[0]).status_code == 200, url


def test_other_links_and_links_to_objects_that_are_gone_are_left_alone(
    system, other_system, cast, objects
):
    _consultation, concern, _signoff, audit = objects
    current = f"/systems/{system.uuid}/concerns/{concern.uuid}/"
    unchanged = [
        current,
        "/",
        "/notifications/",
        f"/systems/{system.pk + 1000}/#oversight",  # no such system
        f"/systems/{system.pk}/audits/{audit.pk + 1000}/",  # no such audit
        f"/systems/{system.pk}/concerns/{concern.pk + 1000}/",  # no such concern
        # the concern's key under another system's key: not a link this product ever wrote
        f"/systems/{other_system.pk}/concerns/{concern.pk}/",
        f"/systems/{system.pk}/concerns/{concern.pk}/respond/",
        f"https://elsewhere.example/systems/{system.pk}/concerns/{concern.pk}/",
    ]
    rows = [notification(cast.hr, url) for url in unchanged]
    assert rewritten(*rows) == unchanged
