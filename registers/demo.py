"""Demo systems across every lifecycle stage, recorded through the services (so with history)."""

from django.db import transaction

from audit import services as audit

from . import services
from .choices import LifecycleStage, PublicationStatus
from .models import AlgorithmicSystem, DataSpecification, ModelSpecification
from .sections import FIELD_SECTIONS

SYSTEMS = [
    {
        "org": "demo-council",
        "reference": "home-care-rota-planner",
        "stage": LifecycleStage.IN_USE,
        "publication_status": PublicationStatus.PUBLISHED,
        "name": "Home-care rota planner",
        "name_cy": "Cynllunydd rota gofal cartref",
        "one_sentence_description": "Software that proposes weekly rotas for home-care workers.",
        "one_sentence_description_cy": "Meddalwedd sy'n cynnig rotâu wythnosol i weithwyr gofal cartref.",
        "description": (
            "The council uses software to propose weekly rotas for its 420 home-care workers, based on "
            "care visits, travel time and staff availability. A scheduling officer checks and changes "
            "every rota before it is sent to staff."
        ),
        "description_cy": (
            "Mae'r cyngor yn defnyddio meddalwedd i gynnig rotâu wythnosol i'w 420 o weithwyr gofal "
            "cartref. Mae swyddog amserlennu yn gwirio ac yn newid pob rota cyn ei hanfon at staff."
        ),
        "contact_email": "rota-team@demo-council.example",
        "team": "Adult Social Care Scheduling",
        "senior_responsible_owner": "Director of Social Services",
        "external_supplier_involvement": "yes",
        "external_supplier": "CareRoute Ltd",
        "companies_house_number": "01234567",
        "external_supplier_role": "Provides the scheduling software as a hosted service.",
        "procurement_procedure_type": "call-off from framework",
        "data_access_terms": "Processes staff names, contracted hours, skills and home postcodes under a data processing agreement.",
        "detailed_description": "An optimiser searches for a rota that covers every visit while keeping travel short and respecting contracted hours, breaks and skills.",
        "scope": "Proposes rotas only. It does not decide pay, discipline or performance, and never contacts staff directly.",
        "benefit": "Less time spent building rotas by hand; shorter travel between visits; fairer spread of weekend work.",
        "previous_process": "Three scheduling officers built rotas in spreadsheets.",
        "alternatives_considered": "Keeping spreadsheets; a module of the existing HR system (no travel-time data).",
        "process_integration": "The proposed rota goes to a scheduling officer, who changes and approves it.",
        "provided_information": "A draft rota per worker with travel times and any visits it could not cover.",
        "frequency_and_scale_of_usage": "Weekly, for about 420 workers and 9,000 visits.",
        "human_decisions_and_review": "Every rota is approved by a scheduling officer. Workers can ask for a change through their team leader.",
        "required_training": "Half-day course for scheduling officers, including when to override the proposal.",
        "appeals_and_review": "Workers raise rota concerns with their team leader or union representative.",
        "system_architecture": "Hosted software-as-a-service; nightly import of visits from the care-management system.",
        "system_level_input": "Care visits, staff contracted hours, skills, leave and home postcodes.",
        "system_level_output": "Draft weekly rotas.",
        "maintenance": "Supplier releases monthly; the council reviews rota quality every quarter with UNISON.",
        "tool_models": "One optimisation model (constraint solver).",
        "impact_assessment": "DPIA approved 2025; EqIA approved 2025.",
        "risks_and_mitigations": "Work intensification (maximum visits per shift agreed with UNISON); travel-time errors in rural areas (officers correct).",
        "build_or_buy": "buy",
        "readiness_check": "Clear problem (manual rotas), reliable visit data, scheduling officers trained; procured through the national framework.",
        "worker_groups": "Home-care workers and scheduling officers.",
        "workers_affected": 430,
        "employment_decisions": ["scheduling"],
        "human_in_the_loop": "A scheduling officer approves every rota.",
        "human_in_command": "The Director of Social Services is accountable and reviews the system each quarter.",
        "override_and_switch_off": "Officers can edit any rota; the team can return to spreadsheets within a day.",
        "training_plan": "Annual refresher for officers; briefing for all home-care workers.",
        "supplier_welsh_language": "partial",
        "exit_plan": "Data export in CSV at any time; 6 months' notice; spreadsheets kept as fallback.",
        "contract_reference": "DCC-2024-117",
        "models": [
            {
                "model_name": "Rota optimiser",
                "model_version": "4.2",
                "model_task": "Assign visits to workers.",
                "model_architecture": "Constraint solver (rule-based, not machine learning).",
            }
        ],
        "data": [
            {
                "source_data_name": "Care visits and staff availability",
                "data_modality": "tabular",
                "data_description": "Visit times, durations, addresses; staff hours, skills and leave.",
                "sensitive_attributes": "Home postcodes of staff; no protected characteristics.",
            }
        ],
    },
    {
        "org": "demo-council",
        "reference": "cv-shortlisting",
        "stage": LifecycleStage.TENDER,
        "name": "CV shortlisting assistant",
        "name_cy": "Cynorthwyydd rhestr fer CV",
        "one_sentence_description": "A tool that would rank job applications against the person specification.",
        "description": "The council is tendering for a tool that scores applications for high-volume roles against the person specification, to help recruiting managers shortlist.",
        "contact_email": "recruitment@demo-council.example",
        "external_supplier_involvement": "yes",
        "build_or_buy": "buy",
        "employment_decisions": ["recruitment"],
        "worker_groups": "Job applicants; recruiting managers.",
        "workers_affected": 3000,
    },
    {
        "org": "demo-council",
        "reference": "contact-centre-productivity",
        "stage": LifecycleStage.PAUSED,
        "name": "Contact-centre productivity monitor",
        "name_cy": "Monitor cynhyrchiant y ganolfan gyswllt",
        "one_sentence_description": "Measures call handling and idle time of contact-centre advisers.",
        "description": "Dashboard that measures advisers' call handling time and time between calls. Paused after concerns about work intensification raised by UNISON.",
        "contact_email": "contact-centre@demo-council.example",
        "external_supplier_involvement": "yes",
        "external_supplier": "CallMetrics plc",
        "employment_decisions": ["performance", "monitoring"],
        "worker_groups": "Contact-centre advisers.",
        "workers_affected": 85,
        "human_in_the_loop": "Team leaders see the dashboard; it takes no decisions itself.",
    },
    {
        "org": "demo-council",
        "reference": "inclusive-recruitment-pilot",
        "stage": LifecycleStage.PLANNING,
        "name": "AI pilot for inclusive recruitment",
        "name_cy": "Cynllun peilot AI ar gyfer recriwtio cynhwysol",
        "one_sentence_description": "Checks job adverts for exclusionary language before they are published.",
        "description": "Proposed pilot, from the council's BME workforce action plan, of software that flags wording in job adverts that may put off under-represented applicants.",
        "contact_email": "equalities@demo-council.example",
        "employment_decisions": ["recruitment"],
    },
    {
        "org": "demo-health-board",
        "reference": "nurse-e-rostering",
        "stage": LifecycleStage.IN_USE,
        "publication_status": PublicationStatus.PUBLISHED,
        "name": "Nurse e-rostering auto-roster",
        "name_cy": "Awto-rostera nyrsys",
        "one_sentence_description": "Generates ward rosters for nursing staff.",
        "description": "The health board's e-rostering system generates draft four-week ward rosters for 2,800 nurses and healthcare support workers. Ward managers approve every roster.",
        "contact_email": "rostering@demo-health-board.example",
        "team": "Workforce Systems",
        "external_supplier_involvement": "yes",
        "external_supplier": "Rosterwell Ltd",
        "employment_decisions": ["scheduling"],
        "worker_groups": "Registered nurses, healthcare support workers, ward managers.",
        "workers_affected": 2800,
        "human_in_the_loop": "Ward managers approve every roster.",
    },
    {
        "org": "demo-health-board",
        "reference": "absence-analytics",
        "stage": LifecycleStage.PILOT,
        "name": "Sickness absence analytics",
        "name_cy": "Dadansoddeg absenoldeb salwch",
        "one_sentence_description": "Highlights patterns of sickness absence for occupational health.",
        "description": "Pilot on two wards of analytics that highlight absence patterns to occupational health, so that support can be offered earlier. It does not trigger absence procedures.",
        "contact_email": "occupational-health@demo-health-board.example",
        "employment_decisions": ["absence", "wellbeing"],
        "workers_affected": 140,
    },
    {
        "org": "demo-health-board",
        "reference": "staff-bank-matching",
        "stage": LifecycleStage.RETIRED,
        "name": "Staff bank shift matching",
        "name_cy": "Paru sifftiau'r banc staff",
        "one_sentence_description": "Matched bank staff to open shifts (retired in 2025).",
        "description": "Offered open shifts to bank staff ranked by a reliability score. Retired in 2025 after a review with the RCN found the score penalised staff with caring responsibilities.",
        "contact_email": "bank@demo-health-board.example",
        "employment_decisions": ["scheduling", "pay"],
    },
    {
        "org": "demo-agency",
        "reference": "hr-policy-chatbot",
        "stage": LifecycleStage.DEVELOPMENT,
        "name": "HR policy chatbot",
        "name_cy": "Sgwrsfot polisïau AD",
        "one_sentence_description": "Answers staff questions about HR policies, in English and Welsh.",
        "description": "A chatbot built on a large language model that answers staff questions about HR policies, citing the policy it used. It takes no decisions about individuals.",
        "contact_email": "hr@demo-agency.example",
        "external_supplier_involvement": "yes",
        "build_or_buy": "buy_customise",
        "employment_decisions": ["information"],
        "worker_groups": "All staff.",
        "workers_affected": 650,
        "supplier_welsh_language": "full",
    },
    {
        "org": "demo-agency",
        "reference": "site-lone-worker-monitoring",
        "stage": LifecycleStage.IN_USE,
        "name": "Lone-worker location monitoring",
        "name_cy": "Monitro lleoliad gweithwyr unigol",
        "one_sentence_description": "Tracks the location of site staff working alone, for their safety.",
        "description": "Mobile app that shares the location of site staff working alone and raises an alarm if they stop responding. Already in use before the register existed.",
        "contact_email": "estates@demo-agency.example",
        "employment_decisions": ["monitoring", "wellbeing"],
        "workers_affected": 60,
    },
]


def build(demo: dict) -> None:
    demo["systems"] = {}
    for spec in SYSTEMS:
        org = demo["organisations"][spec["org"]]
        existing = AlgorithmicSystem.objects.filter(organisation=org, reference=spec["reference"]).first()
        if existing:
            demo["systems"][spec["reference"]] = existing
            continue
        demo["systems"][spec["reference"]] = _create(demo, org, spec)


@transaction.atomic
def _create(demo, org, spec) -> AlgorithmicSystem:
    hr = demo["users"][(org.slug, "hr")]
    manager = demo["users"][(org.slug, "manager")]
    stage = spec["stage"]
    initial_stage = LifecycleStage.IN_USE if stage in (LifecycleStage.PAUSED, LifecycleStage.RETIRED) else stage
    system = services.create_system(
        actor=hr,
        organisation=org,
        name=spec["name"],
        reference=spec["reference"],
        lifecycle_stage=initial_stage,
        one_sentence_description=spec["one_sentence_description"],
    )
    skip = ("org", "stage", "models", "data", "reference", "publication_status")
    values = {k: v for k, v in spec.items() if k not in skip}
    values["accountable_manager"] = manager
    values.setdefault("organisation_or_department", org.name)
    values.setdefault("senior_responsible_owner", "Director of People")
    for section in FIELD_SECTIONS:
        data = {name: values[name] for name in section.fields if name in values}
        if data:
            system = services.update_section(
                system, actor=hr, section=section, data=data, expected_fingerprint=None
            )
    for position, model in enumerate(spec.get("models", []), start=1):
        obj = ModelSpecification.objects.create(system=system, position=position, **model)
        audit.record(hr, "specification.created", obj, changes=audit.diff({}, audit.snapshot(obj)))
    for position, data in enumerate(spec.get("data", []), start=1):
        obj = DataSpecification.objects.create(system=system, position=position, **data)
        audit.record(hr, "specification.created", obj, changes=audit.diff({}, audit.snapshot(obj)))
    if spec.get("publication_status") == PublicationStatus.PUBLISHED:
        system.publication_status = PublicationStatus.PUBLISHED
        system.save(update_fields=["publication_status", "updated_at"])
        audit.record(
            hr, "system.published", system, changes={"publication_status": ["draft", "published"]}
        )
    if stage != initial_stage:
        # Demo history of a system already paused or retired before this release's workflow.
        before = system.lifecycle_stage
        system.lifecycle_stage = stage
        system.save(update_fields=["lifecycle_stage", "updated_at"])
        audit.record(manager, "system.stage_changed", system, changes={"lifecycle_stage": [before, stage]})
    return system
