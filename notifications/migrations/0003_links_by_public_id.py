"""Notifications written before public identifiers link by database key
(``/systems/12/concerns/34/``), an address that no longer resolves. Rewrite each link to the
same page by public identifier (``/systems/<uuid>/concerns/<uuid>/``).

Notifications only ever linked to a consultation (``/systems/<pk>/consultation/<pk>/``, with
``#disclosures`` or none) or a formal concern (``/systems/<pk>/concerns/<pk>/``), in English or
with the ``/cy/`` prefix. A link whose system or object no longer exists is left as it is: the
page is gone, and a "not found" page says so.
"""

import re

from django.db import migrations

OLD_LINK = re.compile(
    r"^(?P<prefix>(/cy)?/systems/)(?P<system>\d+)/(?P<kind>consultation|concerns)/(?P<object>\d+)/"
    r"(?P<rest>(#[\w-]*)?)$"
)
MODELS = {"consultation": "Consultation", "concerns": "Concern"}


def public_link(apps, url: str) -> str | None:
    """``url`` by public identifiers, or None if it is not an old link or its objects are gone."""
    match = OLD_LINK.match(url)
    if match is None:
        return None
    model = apps.get_model("consultations", MODELS[match["kind"]])
    row = (
        model.objects.filter(pk=match["object"], system_id=match["system"])
        .values_list("system__uuid", "uuid")
        .first()
    )
    if row is None:
        return None
    system_uuid, object_uuid = row
    return f"{match['prefix']}{system_uuid}/{match['kind']}/{object_uuid}/{match['rest']}"


def rewrite_links(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notification in Notification.objects.filter(url__contains="/systems/").only("url"):
        url = public_link(apps, notification.url)
        if url is not None:
            Notification.objects.filter(pk=notification.pk).update(url=url)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_public_ids"),
        ("consultations", "0002_public_ids"),
        ("registers", "0003_public_ids"),
    ]
    operations = [migrations.RunPython(rewrite_links, migrations.RunPython.noop)]
