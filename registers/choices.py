"""Choice lists of the system record: ATRS finder slugs (``domain/atrs.md`` §5) and GovReg's own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LifecycleStage(models.TextChoices):
    PLANNING = "planning", _("Planning")
    TENDER = "tender_award", _("Tender and award")
    DEVELOPMENT = "development", _("Development and customisation")
    PILOT = "pilot", _("Pilot")
    IN_USE = "in_use", _("In use")
    PAUSED = "paused", _("Paused")
    RETIRED = "retired", _("Retired")


# ATRS phase (v3 and v4 slugs) derived from the lifecycle stage for export.
ATRS_PHASE_FOR_STAGE = {
    LifecycleStage.PLANNING: "pre-deployment",
    LifecycleStage.TENDER: "pre-deployment",
    LifecycleStage.DEVELOPMENT: "pre-deployment",
    LifecycleStage.PILOT: "private-beta",
    LifecycleStage.IN_USE: "production",
    LifecycleStage.PAUSED: "production",
    LifecycleStage.RETIRED: "retired",
}


class AtrsPhase(models.TextChoices):
    PRE_DEPLOYMENT = "pre-deployment", _("Pre-deployment")
    BETA_PILOT = "beta-pilot", _("Beta/Pilot")
    PRIVATE_BETA = "private-beta", _("Private beta")
    PUBLIC_BETA = "public-beta", _("Public beta")
    PRODUCTION = "production", _("Production")
    RETIRED = "retired", _("Retired")


STAGE_FOR_ATRS_PHASE = {
    AtrsPhase.PRE_DEPLOYMENT: LifecycleStage.PLANNING,
    AtrsPhase.BETA_PILOT: LifecycleStage.PILOT,
    AtrsPhase.PRIVATE_BETA: LifecycleStage.PILOT,
    AtrsPhase.PUBLIC_BETA: LifecycleStage.PILOT,
    AtrsPhase.PRODUCTION: LifecycleStage.IN_USE,
    AtrsPhase.RETIRED: LifecycleStage.RETIRED,
}


class Region(models.TextChoices):
    INTERNATIONAL = "international", _("International")
    UK = "uk", _("UK")
    GREAT_BRITAIN = "great-britain", _("Great Britain")
    ENGLAND_AND_WALES = "england-and-wales", _("England and Wales")
    NORTHERN_IRELAND = "northern-ireland", _("Northern Ireland")
    SCOTLAND = "scotland", _("Scotland")
    WALES = "wales", _("Wales")
    ENGLAND = "england", _("England")
    LONDON = "london", _("London")
    NORTH_EAST = "north-east", _("North East")
    NORTH_WEST = "north-west", _("North West")
    YORKSHIRE = "yorkshire-and-the-humber", _("Yorkshire and the Humber")
    EAST_MIDLANDS = "east-midlands", _("East Midlands")
    WEST_MIDLANDS = "west-midlands", _("West Midlands")
    SOUTH_EAST = "south-east", _("South East")
    EAST_OF_ENGLAND = "east-of-england", _("East of England")
    SOUTH_WEST = "south-west", _("South West")


class Capability(models.TextChoices):
    COMPUTER_VISION = "computer-vision", _("Computer vision")
    COMPUTER_AUDITION = "computer-audition", _("Computer audition")
    COMPUTER_LINGUISTICS = "computer-linguistics", _("Computer linguistics")
    ROBOTICS = "robotics", _("Robotics")
    FORECASTING = "forecasting", _("Forecasting")
    DISCOVERY = "discovery", _("Discovery")
    PLANNING = "planning", _("Planning")
    CREATION = "creation", _("Creation")
    ANALYSIS = "analysis", _("Analysis")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class BuildOrBuy(models.TextChoices):
    BUILD = "build", _("Build in-house")
    BUY = "buy", _("Buy from a supplier")
    CUSTOMISE = "buy_customise", _("Buy and customise")
    EXISTING = "existing_feature", _("Feature of software already in use")
    UNDECIDED = "undecided", _("Not decided yet")


class EmploymentDecision(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment and selection")
    SCHEDULING = "scheduling", _("Scheduling, rotas and work allocation")
    PERFORMANCE = "performance", _("Performance management")
    PAY = "pay", _("Pay and reward")
    DISCIPLINE = "discipline", _("Discipline and dismissal")
    MONITORING = "monitoring", _("Monitoring and surveillance")
    ABSENCE = "absence", _("Absence and attendance")
    PROGRESSION = "progression", _("Training, promotion and progression")
    WELLBEING = "wellbeing", _("Health, safety and well-being")
    INFORMATION = "information", _("Information and advice to staff")


class WelshLanguageCapability(models.TextChoices):
    FULL = "full", _("Full Welsh-language service")
    PARTIAL = "partial", _("Partly available in Welsh")
    NONE = "none", _("Not available in Welsh")
    UNKNOWN = "unknown", _("Not known")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Not published")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DataModality(models.TextChoices):
    TABULAR = "tabular", _("Tabular")
    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    GEOSPATIAL = "geospatial", _("Geospatial")
    TIME_SERIES = "time-series", _("Time series")
    MULTIMODAL = "multimodal", _("Multimodal")
    OTHER = "other", _("Other")
