"""People, public bodies and who may do what where.

Roles are per organisation: a ``Membership`` is user × organisation × role. Nobody sees another
body's data without a membership there (see ``accounts/permissions.py``).
"""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from govreg.public_ids import PublicIdModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(PublicIdModel, AbstractUser):
    """A person who signs in with their e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class BilingualNameMixin(models.Model):
    """An English name, a Welsh name, and the right one for the active language."""

    name = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if get_language() == "cy" and self.name_cy:
            return self.name_cy
        return self.name


class PartnershipCouncil(BilingualNameMixin):
    """A forum of employers and unions that receives audit packs (e.g. the WPC)."""

    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        verbose_name = _("partnership council")
        verbose_name_plural = _("partnership councils")
        ordering = ["name"]


class Organisation(BilingualNameMixin):
    """A public body that keeps a register."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        NHS_BODY = "nhs_body", _("NHS body")
        WELSH_GOVERNMENT = "welsh_government", _("Welsh Government")
        ARMS_LENGTH_BODY = "arms_length_body", _("Arm's-length body")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind of body"), max_length=32, choices=Kind.choices)
    councils = models.ManyToManyField(
        PartnershipCouncil,
        related_name="organisations",
        blank=True,
        verbose_name=_("partnership councils"),
    )
    concern_response_working_days = models.PositiveSmallIntegerField(
        _("working days to respond to a concern"), default=20
    )
    require_mfa_for_managers = models.BooleanField(
        _("require two-factor authentication for senior managers and admins"), default=False
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]


class Union(BilingualNameMixin):
    """A recognised trade union."""

    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        verbose_name = _("trade union")
        verbose_name_plural = _("trade unions")
        ordering = ["name"]


class Role(models.TextChoices):
    HR_OFFICER = "hr_officer", _("HR officer")
    UNION_REP = "union_rep", _("Union representative")
    SENIOR_MANAGER = "senior_manager", _("Senior accountable manager")
    AUDITOR = "auditor", _("Auditor")
    ORG_ADMIN = "org_admin", _("Organisation administrator")


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user, is_active=True).select_related("organisation", "union")


class Membership(models.Model):
    """A user's role in one organisation (a rep also names their union)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    union = models.ForeignKey(
        Union,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("union"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role="union_rep") | models.Q(union__isnull=True),
                name="only_reps_name_a_union",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
