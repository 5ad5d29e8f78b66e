"""Choice lists of human oversight: sign-off decisions, lifecycle moves, audits and reminders."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registers.choices import LifecycleStage


class Decision(models.TextChoices):
    APPROVED = "approved", _("Signed off")
    CONDITIONAL = "conditional", _("Signed off with conditions")
    REFUSED = "refused", _("Refused")


# Decisions that let the system go ahead (a refusal never does).
APPROVALS = (Decision.APPROVED, Decision.CONDITIONAL)


class SnapshotVersion(models.IntegerChoices):
    """The format of the content a sign-off binds to (``oversight.hashing.material_snapshot``).
    A sign-off keeps the format it was hashed in, for good: its hash is recomputed in it."""

    DATABASE_KEYS = 1, _("Version 1: objects named by their database keys")
    PUBLIC_IDS = 2, _("Version 2: objects named by their public identifiers")


# The format new sign-offs are hashed and stored in.
SNAPSHOT_VERSION = SnapshotVersion.PUBLIC_IDS


class ReauthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    MFA = "mfa", _("Two-factor authentication code")


class TransitionKind(models.TextChoices):
    CHANGE = "change", _("Stage changed")
    PAUSE = "pause", _("Paused")
    RETIRE = "retire", _("Stopped and retired")
    RESTART = "restart", _("Restarted")


# Stages in which a system is used on workers: entering one needs the gate, and systems in them
# are reviewed on a schedule.
LIVE_STAGES = (LifecycleStage.PILOT, LifecycleStage.IN_USE)

# Stages before use, in order. A move forward among them (or into a live stage) is a change
# of stage; a move back from a pilot to development is allowed too (the pilot ended for changes).
PRE_USE_STAGES = (LifecycleStage.PLANNING, LifecycleStage.TENDER, LifecycleStage.DEVELOPMENT)

FORWARD_MOVES: dict[str, tuple[str, ...]] = {
    LifecycleStage.PLANNING: (LifecycleStage.TENDER, LifecycleStage.DEVELOPMENT),
    LifecycleStage.TENDER: (LifecycleStage.DEVELOPMENT,),
    LifecycleStage.DEVELOPMENT: (LifecycleStage.PILOT, LifecycleStage.IN_USE),
    LifecycleStage.PILOT: (LifecycleStage.IN_USE, LifecycleStage.DEVELOPMENT),
    LifecycleStage.IN_USE: (),
    LifecycleStage.PAUSED: (),
    LifecycleStage.RETIRED: (),
}


class ImpactLevel(models.TextChoices):
    I = "I", _("Level I (little to no impact)")  # noqa: E741
    II = "II", _("Level II (moderate impact)")
    III = "III", _("Level III (high impact)")
    IV = "IV", _("Level IV (very high impact)")


NOT_ASSESSED = ""  # no approved AIA yet


class Rating(models.TextChoices):
    """The answer to one of the guidance's audit questions."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class AuditQuestion(models.TextChoices):
    """The six questions of the WPC guidance's post-deployment audit."""

    PURPOSE = "purpose", _("Does the system do what it should?")
    WORK = "work", _("How does it affect work and working conditions?")
    MITIGATIONS = "mitigations", _("Are agreed ways to mitigate risk in place? Do they work?")
    UNPLANNED = (
        "unplanned",
        _(
            "Did any risks or impacts appear that were not planned for? Are they being lowered or "
            "dealt with in another way?"
        ),
    )
    TECHNICAL = "technical", _("Do technical checks and bias audits give good results?")
    RULES = (
        "rules",
        _("Does the system and its use follow the rules agreed between employer and employees?"),
    )


# For the "how does it affect work" question a "yes" reads oddly; the rating there means "is
# the effect acceptable". The form's hint says so.
QUESTION_HINTS = {
    AuditQuestion.PURPOSE: _("Compare what it does with the purpose and scope in the record."),
    AuditQuestion.WORK: _(
        "Rate whether the effect on workload, pace, autonomy and well-being is acceptable. "
        "Give the evidence: surveys, concerns, sickness absence, turnover, meetings."
    ),
    AuditQuestion.MITIGATIONS: _("Check the actions in the action plan and the risk register."),
    AuditQuestion.UNPLANNED: _(
        "“Yes” means none appeared, or those that did are recorded as risks and dealt with."
    ),
    AuditQuestion.TECHNICAL: _("Record the bias-audit figures in the table below."),
    AuditQuestion.RULES: _(
        "The local or sectoral agreement, the audit framework, and the human-in-the-loop rules."
    ),
}


class FeedbackSource(models.TextChoices):
    SURVEY = "survey", _("Worker survey")
    CONCERNS = "concerns_log", _("Concerns raised")
    REP_ACCESS = "rep_access_sessions", _("Union reps' access to the system")
    MEETINGS = "meetings", _("Meetings with workers or unions")
    ANONYMOUS = "anonymous_channel", _("Anonymous channel")


class Outcome(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    CONTINUE_WITH_CHANGES = "continue_with_changes", _("Continue with changes")
    PAUSE = "pause", _("Pause")
    STOP = "stop", _("Stop")


class BiasMetric(models.TextChoices):
    SELECTION_RATE_RATIO = "selection_rate_ratio", _("Selection-rate ratio")
    ERROR_RATE_GAP = "error_rate_gap", _("Error-rate gap")
    SCORE_DISTRIBUTION = "score_distribution", _("Difference in score distribution")
    OTHER = "other", _("Other")


class PassesWhen(models.TextChoices):
    AT_LEAST = "at_least", _("The value is at least the threshold")
    AT_MOST = "at_most", _("The value is at most the threshold")


# Which way a metric passes, unless the body says otherwise.
DEFAULT_PASSES_WHEN = {
    BiasMetric.SELECTION_RATE_RATIO: PassesWhen.AT_LEAST,
    BiasMetric.ERROR_RATE_GAP: PassesWhen.AT_MOST,
    BiasMetric.SCORE_DISTRIBUTION: PassesWhen.AT_MOST,
    BiasMetric.OTHER: PassesWhen.AT_LEAST,
}


class Characteristic(models.TextChoices):
    """Protected characteristics (Equality Act 2010) and the Welsh duties' additions."""

    AGE = "age", _("Age")
    DISABILITY = "disability", _("Disability")
    GENDER_REASSIGNMENT = "gender_reassignment", _("Gender reassignment")
    MARRIAGE = "marriage", _("Marriage and civil partnership")
    PREGNANCY = "pregnancy", _("Pregnancy and maternity")
    RACE = "race", _("Race")
    RELIGION = "religion", _("Religion or belief")
    SEX = "sex", _("Sex")
    SEXUAL_ORIENTATION = "sexual_orientation", _("Sexual orientation")
    WELSH_LANGUAGE = "welsh_language", _("Welsh language")
    SOCIO_ECONOMIC = "socio_economic", _("Socio-economic disadvantage")
    CARING = "caring", _("Caring responsibilities")
    WORKING_PATTERN = "working_pattern", _("Part-time or other working pattern")
    OTHER = "other", _("Other")


class ReminderKind(models.TextChoices):
    REVIEW = "review", _("Review")
    ACTION = "action", _("Action")
    CONCERN = "concern", _("Concern")
    RESIGN = "resign", _("Re-sign required")


class Threshold(models.TextChoices):
    WEEK = "week", _("A week before")
    DAY = "day", _("A day before")
    OVERDUE = "overdue", _("Overdue")
    STALE = "stale", _("Sign-off out of date")
