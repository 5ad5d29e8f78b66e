"""Choice lists of union consultation, concerns and rights requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Concerns are categorised with the register's risk taxonomy (``domain/assessments.md`` §6),
# so a concern can be read against the risks recorded for the system.
from assessments.choices import RiskCategory  # noqa: F401 - re-exported
from registers.choices import LifecycleStage


class Stage(models.TextChoices):
    """The stages of buying or building a system in the TUC Cymru / Connected by Data toolkit
    (four procurement stages and an oversight function); see ``consultations/toolkit.py``."""

    PLANNING = "planning", _("Planning")
    TENDER = "tender_award", _("Tender and award")
    DEVELOPMENT = "development", _("Development and customisation")
    DEPLOYMENT = "deployment", _("Deployment and contract management")
    OVERSIGHT = "oversight", _("Oversight")


# The consultation stage that goes with each lifecycle stage of a system. A pilot is the
# toolkit's "piloting system and rapid evaluations of roll out" (deployment); a retired system
# is kept under oversight (what was learnt).
STAGE_FOR_LIFECYCLE = {
    LifecycleStage.PLANNING: Stage.PLANNING,
    LifecycleStage.TENDER: Stage.TENDER,
    LifecycleStage.DEVELOPMENT: Stage.DEVELOPMENT,
    LifecycleStage.PILOT: Stage.DEPLOYMENT,
    LifecycleStage.IN_USE: Stage.DEPLOYMENT,
    LifecycleStage.PAUSED: Stage.DEPLOYMENT,
    LifecycleStage.RETIRED: Stage.OVERSIGHT,
}


class ConsultationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CONCLUDED = "concluded", _("Concluded")


class Agreement(models.TextChoices):
    """A union's position, and the outcome of a consultation. Disagreement is recorded."""

    AGREED = "agreed", _("Agreed")
    AGREED_WITH_CONDITIONS = "agreed_with_conditions", _("Agreed with conditions")
    NOT_AGREED = "not_agreed", _("Not agreed")


# How far each answer goes towards agreement: an outcome may not claim more agreement than
# the least agreeing union's position.
AGREEMENT_RANK = {
    Agreement.NOT_AGREED: 0,
    Agreement.AGREED_WITH_CONDITIONS: 1,
    Agreement.AGREED: 2,
}


class AttendeeSide(models.TextChoices):
    EMPLOYER = "employer", _("Employer")
    UNION = "union", _("Trade union")
    WORKER = "worker", _("Worker")
    SUPPLIER = "supplier", _("Supplier")
    OTHER = "other", _("Other")


class DisclosureKind(models.TextChoices):
    RECORD = "record", _("System record")
    ASSESSMENT = "assessment", _("Assessment")
    EVIDENCE = "evidence", _("Evidence file")
    DOCUMENT = "document", _("Other document")


class ConcernSource(models.TextChoices):
    REP = "rep", _("Raised by a union representative")
    COMMENT = "comment", _("A representative's comment marked as a concern")
    ANONYMOUS = "anonymous", _("Raised anonymously by a worker")


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESPONDED = "responded", _("Responded")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")


# Statuses in which the employer owes a response (and a concern can become overdue).
AWAITING_RESPONSE = (ConcernStatus.OPEN, ConcernStatus.ESCALATED)


class ConcernUpdateKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    RESPONSE = "response", _("Employer's response")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    OVERDUE = "overdue", _("Response overdue")


class RightsRequestKind(models.TextChoices):
    """Worker rights (``domain/assessments.md`` §5): UK GDPR and the WPC guidance."""

    EXPLANATION = "explanation", _("Explanation of a decision")
    HUMAN_REVIEW = "human_review", _("Human review of an automated decision")
    ACCESS = "access", _("Access to their data")
    RECTIFICATION = "rectification", _("Correction of their data")
    ERASURE = "erasure", _("Deletion of their data")
    INFORMATION = "information", _("Information about the processing")
    OBJECTION = "objection", _("Objection to the processing")
    CONTEST = "contest", _("Contesting an automated decision")


class RightsOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    WITHDRAWN = "withdrawn", _("Withdrawn")
