"""The prompts for discussion at each stage: GovReg's consultation checklist.

Provenance
----------
Source: "Toolkit: Worker voice in public sector procurement of digital and AI systems in
Wales", produced by Connected by Data in collaboration with the Trades Union Congress Cymru
(TUC Cymru). A text copy is kept with the project's domain sources
(``domain/sources/worker-voice-in-procurement-toolkit.txt``).

The toolkit is structured around four stages of procurement and an oversight function. For
each it gives the focus of worker engagement, "worker voice engagement approaches" and
"prompts for discussion". The prompts below are the toolkit's wording, one checklist item per
row of its "Prompts for discussion" column (rows that the text copy splits over two lines are
joined). The engagement approaches are shown to users as suggestions, not as checklist items.

Each prompt has a stable ``key``: a consultation stores the key of each checklist row (and a
frozen copy of the English text), so rewording a prompt here never changes what a past
consultation recorded. To change the checklist for new consultations, add a prompt with a new
key; do not reuse keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Stage

SOURCE_TITLE = _(
    "Worker voice in public sector procurement of digital and AI systems in Wales "
    "(Connected by Data and TUC Cymru)"
)


@dataclass(frozen=True)
class Prompt:
    key: str
    text: Promise


@dataclass(frozen=True)
class StageGuide:
    stage: Stage
    focus: Promise
    approaches: tuple[Promise, ...]
    prompts: tuple[Prompt, ...]


_PREVIOUS = _("What have we agreed at the previous stage? What has changed?")

GUIDES: dict[str, StageGuide] = {
    Stage.PLANNING: StageGuide(
        Stage.PLANNING,
        _(
            "Worker engagement should focus on ensuring that digital and AI systems solve actual "
            "problems, including those experienced by workers."
        ),
        (
            _("Surveys of workers to identify pain points"),
            _("Workshops with workers with protected characteristics to identify risks"),
            _("'Futures' forums to reimagine how public services could operate with data and AI"),
        ),
        (
            Prompt(
                "planning.priorities",
                _("What are our priority challenges? How can digital and AI help?"),
            ),
            Prompt(
                "planning.risks",
                _(
                    "What specific risks and challenges arise from digital and AI in our context? "
                    "How can these be addressed?"
                ),
            ),
            Prompt(
                "planning.proportionate-engagement",
                _("Given the risks, what is a proportional approach for engaging worker voice?"),
            ),
            Prompt(
                "planning.fair-work-features",
                _(
                    "What features should digital and AI systems have to support fair work and "
                    "wellbeing goals?"
                ),
            ),
        ),
    ),
    Stage.TENDER: StageGuide(
        Stage.TENDER,
        _(
            "Worker engagement should focus on ensuring the procured systems will be fit for "
            "purpose and that the supplier will continue to include workers during system "
            "development and deployment."
        ),
        (
            _("Worker participation built into market engagement events"),
            _(
                "Workers and representatives involved in setting detailed specifications, tender "
                "questions and weightings"
            ),
            _("Workers and representatives included in bid assessment"),
        ),
        (
            Prompt("tender.previous-stage", _PREVIOUS),
            Prompt(
                "tender.data",
                _(
                    "How will data protection, access and ownership, reporting and evaluation be "
                    "managed?"
                ),
            ),
            Prompt(
                "tender.interoperability",
                _("Is there a need for interoperability with existing systems?"),
            ),
            Prompt(
                "tender.supplier-engagement",
                _(
                    "How can potential suppliers demonstrate facilitation of worker and service "
                    "user engagement in system development?"
                ),
            ),
            Prompt(
                "tender.workforce-development",
                _(
                    "How can potential suppliers demonstrate approaches to workforce development "
                    "to operate the system? Will this support in-house digital capabilities?"
                ),
            ),
        ),
    ),
    Stage.DEVELOPMENT: StageGuide(
        Stage.DEVELOPMENT,
        _(
            "Workers should be actively involved in testing and refining the digital or AI "
            "system so that it works in context."
        ),
        (
            _(
                "Co-development of impact assessments, for example Data Protection Impact "
                "Assessments or a Good Work Algorithmic Impact Assessment"
            ),
            _(
                "Supplier-led workshops, demonstrations and user testing of functionality with workers"
            ),
            _("Testing the tools with consequence mapping exercises"),
        ),
        (
            Prompt("development.previous-stage", _PREVIOUS),
            Prompt(
                "development.performance-and-hr",
                _(
                    "How will the system impact worker performance management metrics and "
                    "evaluation? How will HR or line management practices be impacted?"
                ),
            ),
            Prompt(
                "development.functionality-changes",
                _(
                    "How will the system's functionality be changed? How will the process be "
                    "managed to account for impact on workers?"
                ),
            ),
            Prompt(
                "development.training",
                _(
                    "What kind of training and skills development will workers need to use the system?"
                ),
            ),
            Prompt(
                "development.what-else-changes",
                _("What else needs to change when the system is introduced?"),
            ),
            Prompt(
                "development.monitoring",
                _("How should we monitor the impacts of its introduction?"),
            ),
            Prompt(
                "development.wpc-guidance",
                _(
                    "How has the system accounted for the Workforce Partnership Council guidance "
                    "on algorithmic management?"
                ),
            ),
        ),
    ),
    Stage.DEPLOYMENT: StageGuide(
        Stage.DEPLOYMENT,
        _(
            "Worker engagement should focus on understanding the actual impact of digital and AI "
            "systems, with the aim to identify a clear pathway to resolving any problems quickly, "
            "especially those that emerge over time."
        ),
        (
            _("Training and learning programmes and processes for peer learning"),
            _("Piloting the system and rapid evaluations of roll-out"),
            _("Feedback and complaints processes with clear investigation and response standards"),
            _("A standing worker-management forum to monitor the system"),
        ),
        (
            Prompt("deployment.previous-stage", _PREVIOUS),
            Prompt(
                "deployment.working-effectively",
                _(
                    "Is the system working effectively? What bugs and errors have workers identified?"
                ),
            ),
            Prompt(
                "deployment.skills-relationships",
                _(
                    "How is the system affecting worker skills, relationships, and job "
                    "satisfaction?"
                ),
            ),
            Prompt(
                "deployment.different-experiences",
                _(
                    "Are different workers (particularly those with protected characteristics) "
                    "having different experiences with the system?"
                ),
            ),
            Prompt(
                "deployment.policy-changes",
                _(
                    "Are further changes needed to policies and processes as a consequence of the "
                    "system?"
                ),
            ),
            Prompt(
                "deployment.contract",
                _("How does the contract need to be structured to support these needs?"),
            ),
        ),
    ),
    Stage.OVERSIGHT: StageGuide(
        Stage.OVERSIGHT,
        _(
            "Worker engagement should focus on establishing good practice on worker and "
            "stakeholder participation in procurement of digital and AI systems across the "
            "organisation, through a process of learning and iteration."
        ),
        (_("A standing governance body including workers, unions, and other stakeholders"),),
        (
            Prompt("oversight.previous-stage", _PREVIOUS),
            Prompt(
                "oversight.learning",
                _(
                    "What are we learning about effective worker engagement from multiple "
                    "procurement processes?"
                ),
            ),
            Prompt(
                "oversight.proportionate",
                _(
                    "Can we clarify effective and proportional approaches weighed against risk and "
                    "impact?"
                ),
            ),
            Prompt(
                "oversight.standards",
                _("How can we drive up standards for worker voice in procurement?"),
            ),
            Prompt(
                "oversight.training",
                _(
                    "What training and support do workers need to be effectively involved in the "
                    "procurement of digital and AI systems?"
                ),
            ),
            Prompt(
                "oversight.other-bodies",
                _("What can we learn from other public sector bodies?"),
            ),
            Prompt(
                "oversight.who-else",
                _(
                    "Who else can we engage with to learn more including academics, peer "
                    "practitioners, community and civil society groups?"
                ),
            ),
        ),
    ),
}

PROMPTS_BY_KEY: dict[str, Prompt] = {
    prompt.key: prompt for guide in GUIDES.values() for prompt in guide.prompts
}


def guide(stage: str) -> StageGuide:
    return GUIDES[stage]


def prompt_text(key: str) -> Promise | None:
    """The (translatable) wording of a prompt, or None for a key no longer shipped."""
    prompt = PROMPTS_BY_KEY.get(key)
    return prompt.text if prompt else None
