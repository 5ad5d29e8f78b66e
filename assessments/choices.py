"""Choice lists of the assessments app (content spec: ``domain/assessments.md``)."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DPIA = "dpia", _("Data protection impact assessment")
    EQIA = "eqia", _("Equality impact assessment")
    AIA = "aia", _("Algorithmic impact assessment")


SHORT_NAMES = {
    Kind.DPIA: _("DPIA"),
    Kind.EQIA: _("EqIA"),
    Kind.AIA: _("AIA"),
}


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class RiskCategory(models.TextChoices):
    """The risk taxonomy for algorithmic management (assessments.md §6)."""

    INTENS = "INTENS", _("Work intensification")
    SURV = "SURV", _("Surveillance and privacy intrusion")
    DESKILL = "DESKILL", _("Loss of expertise or deskilling")
    JUDGE = "JUDGE", _("Overriding human judgement or automation bias")
    DISCRIM = "DISCRIM", _("Discrimination and bias")
    DATAPROT = "DATAPROT", _("Data protection non-compliance")
    TRANSP = "TRANSP", _("Opacity or lack of explainability")
    JOBS = "JOBS", _("Job loss, displacement or role change")
    LOCKIN = "LOCKIN", _("Vendor lock-in and exit")
    WELSH = "WELSH", _("Welsh language")
    HSW = "HSW", _("Health, safety and well-being")
    ACCURACY = "ACCURACY", _("Errors and wrongful inclusion or exclusion")
    VOICE = "VOICE", _("Loss of worker voice")
    SECURITY = "SECURITY", _("Security and misuse")
    DIGNITY = "DIGNITY", _("Dignity, autonomy and human connection")


class GoodWorkPrinciple(models.TextChoices):
    """The Good Work Charter's ten principles (assessments.md §3b), a secondary tag on risks."""

    ACCESS = "access", _("Access to good work")
    FAIR_PAY = "fair_pay", _("Fair pay")
    FAIR_CONDITIONS = "fair_conditions", _("Fair terms and conditions")
    EQUALITY = "equality", _("Equality")
    DIGNITY = "dignity", _("Dignity")
    AUTONOMY = "autonomy", _("Autonomy")
    WELLBEING = "wellbeing", _("Well-being")
    SUPPORT = "support", _("Support")
    PARTICIPATION = "participation", _("Participation")
    LEARNING = "learning", _("Learning")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATING = "mitigating", _("Mitigating")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", _("Closed")


class Progress(models.TextChoices):
    """Action-plan progress, as the bodies' own equality action plans record it."""

    NOT_STARTED = "not_started", _("Not started")
    NO_PROGRESS = "no_progress", _("No progress")
    PROGRESSING = "progressing", _("Progressing")
    ACHIEVED = "achieved", _("Achieved")


LIKELIHOOD_LABELS = {
    1: _("Rare"),
    2: _("Unlikely"),
    3: _("Possible"),
    4: _("Likely"),
    5: _("Almost certain"),
}
IMPACT_LABELS = {
    1: _("Negligible"),
    2: _("Minor"),
    3: _("Moderate"),
    4: _("Major"),
    5: _("Catastrophic"),
}
LIKELIHOOD_CHOICES = [
    (n, format_lazy("{} – {}", n, label)) for n, label in LIKELIHOOD_LABELS.items()
]
IMPACT_CHOICES = [(n, format_lazy("{} – {}", n, label)) for n, label in IMPACT_LABELS.items()]


class Band(models.TextChoices):
    """Bands of the 5×5 register score (the common NHS scheme, GovReg default)."""

    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    EXTREME = "extreme", _("Extreme")


BAND_CSS = {
    Band.LOW: "app-band--low",
    Band.MODERATE: "app-band--moderate",
    Band.HIGH: "app-band--high",
    Band.EXTREME: "app-band--extreme",
}


def band_for(score: int | None) -> str | None:
    """1–3 low, 4–6 moderate, 8–12 high, 15–25 extreme."""
    if not score:
        return None
    if score <= 3:
        return Band.LOW
    if score <= 6:
        return Band.MODERATE
    if score <= 12:
        return Band.HIGH
    return Band.EXTREME
