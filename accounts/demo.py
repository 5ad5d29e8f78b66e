"""Demo bodies, unions and one user per role per body (password ``govreg-demo``)."""

from .models import Membership, Organisation, PartnershipCouncil, Role, Union, User

PASSWORD = "govreg-demo"  # noqa: S105 - published demo password, refused when DEBUG is off

BODIES = [
    ("demo-council", "Demo County Council", "Cyngor Sir Demo", Organisation.Kind.LOCAL_AUTHORITY, "unison"),
    (
        "demo-health-board",
        "Demo University Health Board",
        "Bwrdd Iechyd Prifysgol Demo",
        Organisation.Kind.NHS_BODY,
        "rcn",
    ),
    (
        "demo-agency",
        "Demo Heritage Agency for Wales",
        "Asiantaeth Treftadaeth Demo Cymru",
        Organisation.Kind.ARMS_LENGTH_BODY,
        "pcs",
    ),
]
UNIONS = [
    ("unison", "UNISON", "UNSAIN"),
    ("gmb", "GMB", "GMB"),
    ("unite", "Unite", "Unite"),
    ("rcn", "Royal College of Nursing", "Coleg Nyrsio Brenhinol"),
    ("pcs", "PCS", "PCS"),
]
PEOPLE = [
    ("hr", Role.HR_OFFICER, "Rhian Evans", "HR Business Partner"),
    ("rep", Role.UNION_REP, "Dafydd Morgan", "Branch Secretary"),
    ("manager", Role.SENIOR_MANAGER, "Siân Griffiths", "Director of People"),
    ("auditor", Role.AUDITOR, "Owen Price", "Head of Internal Audit"),
    ("admin", Role.ORG_ADMIN, "Gareth Jones", "Systems Administrator"),
]


def user(email: str, full_name: str, job_title: str) -> User:
    person, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "job_title": job_title}
    )
    if created:
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    return person


def build(demo: dict) -> None:
    council, _ = PartnershipCouncil.objects.get_or_create(
        slug="wpc",
        defaults={"name": "Workforce Partnership Council", "name_cy": "Cyngor Partneriaeth y Gweithlu"},
    )
    unions = {}
    for slug, name, name_cy in UNIONS:
        unions[slug], _ = Union.objects.get_or_create(slug=slug, defaults={"name": name, "name_cy": name_cy})
    demo["unions"] = unions
    demo["organisations"] = {}
    demo["users"] = {}
    for slug, name, name_cy, kind, union_slug in BODIES:
        org, _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_cy": name_cy, "kind": kind}
        )
        org.councils.add(council)
        demo["organisations"][slug] = org
        for prefix, role, full_name, job_title in PEOPLE:
            person = user(f"{prefix}@{slug}.example", full_name, job_title)
            Membership.objects.get_or_create(
                user=person,
                organisation=org,
                role=role,
                defaults={"union": unions[union_slug] if role == Role.UNION_REP else None},
            )
            demo["users"][(slug, prefix)] = person
    # A partnership-council auditor who sees every demo body.
    wpc_auditor = user("auditor@wpc.example", "Elin Hughes", "Partnership Council Auditor")
    for org in demo["organisations"].values():
        Membership.objects.get_or_create(user=wpc_auditor, organisation=org, role=Role.AUDITOR)
    demo["users"][("wpc", "auditor")] = wpc_auditor
