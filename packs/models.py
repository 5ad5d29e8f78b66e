"""Audit packs: PDF records of one system, a body or a partnership council, as presented.

An ``AuditPack`` row is both the request and the outbox: it is created ``queued`` when someone
asks for a pack, a Celery worker claims it (``rendering``, with a lease it keeps renewing),
and it ends ``ready`` (with the stored PDF, its SHA-256 and page count) or ``failed`` (with a
readable error). A periodic sweep re-queues packs whose worker died (expired lease) and
re-sends packs whose message never reached the broker. Packs are never deleted: auditors need
what was presented to a council.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def pack_storage():
    """The storage holding pack PDFs (``PACKS_STORAGE`` names an entry of ``STORAGES``)."""
    return storages[getattr(settings, "PACKS_STORAGE", "default")]


class PackScope(models.TextChoices):
    SYSTEM = "system", _("One system")
    ORGANISATION = "organisation", _("A whole body")
    COUNCIL = "council", _("A partnership council")


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Being produced")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class PackStage(models.TextChoices):
    """Where a render has got to, shown as progress while the pack is being produced."""

    WAITING = "", _("Waiting for a worker")
    COLLECTING = "collecting", _("Collecting the records")
    LAYING_OUT = "laying_out", _("Laying out the pages")
    STORING = "storing", _("Storing the PDF")


ACTIVE_STATUSES = (PackStatus.QUEUED, PackStatus.RENDERING, PackStatus.READY)
IN_PROGRESS_STATUSES = (PackStatus.QUEUED, PackStatus.RENDERING)


class AuditPackQuerySet(models.QuerySet):
    def active(self):
        """Packs that a repeat request for the same content reuses."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_progress(self):
        return self.filter(status__in=IN_PROGRESS_STATUSES)

    def covering_only(self, organisation_ids):
        """Packs every one of whose covered bodies is in ``organisation_ids`` (and at least one).

        A council pack spans several bodies: a person sees it only with a role in each of them.
        """
        ids = list(organisation_ids)
        coverage = AuditPack.organisations.through.objects.filter(auditpack_id=OuterRef("pk"))
        return self.filter(Exists(coverage.filter(organisation_id__in=ids))).exclude(
            Exists(coverage.exclude(organisation_id__in=ids))
        )

    def for_listing(self):
        return self.select_related("requested_by", "system", "organisation", "council").order_by(
            "-requested_at"
        )


class AuditPack(models.Model):
    """One requested PDF pack, its state, and (when ready) the stored file."""

    # The body of a system or body pack. A council pack spans several bodies (``organisations``)
    # and has none here, so ``permissions.visible`` never returns it: packs are fetched through
    # ``packs.services.visible_packs``, which requires a role in every covered body.
    tenant_path = "organisation"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scope = models.CharField(_("scope"), max_length=16, choices=PackScope.choices)
    system = models.ForeignKey(
        "registers.AlgorithmicSystem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_packs",
        verbose_name=_("system"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_packs",
        verbose_name=_("organisation"),
    )
    council = models.ForeignKey(
        "accounts.PartnershipCouncil",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_packs",
        verbose_name=_("partnership council"),
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        related_name="+",
        verbose_name=_("bodies covered"),
    )
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    content_key = models.CharField(
        _("content version"),
        max_length=64,
        help_text=_("Identifies the scope, language and data version; a repeat request reuses it."),
    )

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    status = models.CharField(
        _("status"), max_length=12, choices=PackStatus.choices, default=PackStatus.QUEUED
    )
    stage = models.CharField(
        _("progress"), max_length=16, choices=PackStage.choices, default="", blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    enqueued_at = models.DateTimeField(_("last sent to a worker"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_by = models.CharField(_("worker"), max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    file = models.FileField(_("PDF"), storage=pack_storage, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    snapshot_sha256 = models.CharField(_("SHA-256 of the data snapshot"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    byte_size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    covers = models.JSONField(
        _("record versions covered"),
        default=dict,
        blank=True,
        help_text=_("The systems, record versions and assessment versions the pack covers."),
    )

    objects = AuditPackQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit pack")
        verbose_name_plural = _("audit packs")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_key"],
                condition=Q(status__in=["queued", "rendering", "ready"]),
                name="one_active_pack_per_content_version",
            ),
            models.CheckConstraint(
                condition=Q(scope="system", organisation__isnull=False)
                | Q(scope="organisation", organisation__isnull=False)
                | Q(scope="council", council__isnull=False, organisation__isnull=True),
                name="pack_scope_has_its_target",
            ),
        ]
        indexes = [
            models.Index(fields=["system", "-requested_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("packs:pack_detail", args=[self.pk])

    @property
    def is_in_progress(self) -> bool:
        return self.status in IN_PROGRESS_STATUSES

    @property
    def is_ready(self) -> bool:
        return self.status == PackStatus.READY

    @property
    def is_failed(self) -> bool:
        return self.status == PackStatus.FAILED

    @property
    def waiting_for_broker(self) -> bool:
        """Queued but never handed to a worker (the task service was unreachable)."""
        return self.status == PackStatus.QUEUED and self.enqueued_at is None

    def download_filename(self) -> str:
        stamp = (self.finished_at or self.requested_at).strftime("%Y%m%d-%H%M")
        if self.scope == PackScope.SYSTEM and self.system_id:
            subject = self.system.reference
        elif self.scope == PackScope.ORGANISATION and self.organisation_id:
            subject = self.organisation.slug
        elif self.council_id:
            subject = self.council.slug
        else:
            subject = "pack"
        return f"govreg-pack-{subject}-{stamp}-{self.language}.pdf"
