"""Notifications written before public identifiers link by database key
(``/systems/12/concerns/34/``), an address that no longer resolves. Rewrite each link to the
same page by public identifier (``/systems/<uuid>/concerns/<uuid>/``).

The links notifications were written with, in English or with the ``/cy/`` prefix, each with
an anchor (``#disclosures``, ``#oversight``) or none:

- a system's page, ``/systems/<pk>/``, and its sign-off page, ``/systems/<pk>/sign-off/``;
- a consultation, a formal concern, a sign-off or a post-deployment audit of a system:
  ``/systems/<pk>/consultation|concerns|sign-off|audits/<pk>/``.

A link whose system or object no longer exists is left as it is: the page is gone, and a
"not found" page says so. Any other link (the dashboard's, for one) never named a key.
"""

import re

from django.db import migrations

OLD_LINK = re.compile(
    r"^(?P<prefix>(/cy)?/systems/)(?P<system>\d+)/"
    r"(?:(?P<kind>consultation|concerns|sign-off|audits)/(?P<object>\d+)/|(?P<page>sign-off/)?)"
    r"(?P<anchor>#[\w-]*)?$"
)
MODELS = {
    "consultation": ("consultations", "Consultation"),
    "concerns": ("consultations", "Concern"),
    "sign-off": ("oversight", "SignOff"),
    "audits": ("oversight", "PostDeploymentAudit"),
}


def public_link(apps, url: str) -> str | None:
    """``url`` by public identifiers, or None if it is not an old link or its objects are gone."""
    match = OLD_LINK.match(url)
    if match is None:
        return None
    if match["kind"]:
        model = apps.get_model(*MODELS[match["kind"]])
        row = (
            model.objects.filter(pk=match["object"], system_id=match["system"])
            .values_list("system__uuid", "uuid")
            .first()
        )
        if row is None:
            return None
        system_uuid, object_uuid = row
        page = f"{match['kind']}/{object_uuid}/"
    else:
        systems = apps.get_model("registers", "AlgorithmicSystem").objects
        system_uuid = systems.filter(pk=match["system"]).values_list("uuid", flat=True).first()
        if system_uuid is None:
            return None
        page = match["page"] or ""
    return f"{match['prefix']}{system_uuid}/{page}{match['anchor'] or ''}"


def rewrite_links(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.filter(url__contains="/systems/").only("url"):
        url = public_link(apps, notification.url)
        if url is not None:
            Notification.objects.filter(pk=notification.pk).update(url=url)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_public_ids"),
        ("registers", "0003_public_ids"),
        ("consultations", "0002_public_ids"),
        ("oversight", "0004_public_ids"),
    ]
    operations = [migrations.RunPython(rewrite_links, migrations.RunPython.noop)]
