"""What comments and disclosures may point at, and how to find the system of an object.

Comments attach to "a system record, an assessment, a risk or a consultation" through a
generic reference (content type + object id). GovReg does not hard-code the assessment
models: any model of the ``assessments`` app whose ``tenant_path`` runs through ``system`` can
be commented on, as can the system record and its consultations. Another app may add its own
models with :func:`register_commentable`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import cache

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit import services as audit
from govreg.public_ids import has_public_id
from registers.models import AlgorithmicSystem

COMMENTABLE_APPS = {"assessments"}
_EXTRA_COMMENTABLE: set[str] = {"registers.algorithmicsystem", "consultations.consultation"}


def register_commentable(label_lower: str) -> None:
    """Allow comments on another model (``"app_label.modelname"``) that belongs to a system."""
    _EXTRA_COMMENTABLE.add(label_lower)


def _passes_through_system(model: type[models.Model]) -> bool:
    return "system" in getattr(model, "tenant_path", "").split("__")


def is_commentable(model: type[models.Model]) -> bool:
    """Whether comments may be about ``model``'s objects: those of a system, named (in forms,
    links and the API) by their public identifier."""
    if not has_public_id(model):
        return False
    if model._meta.label_lower in _EXTRA_COMMENTABLE:
        return True
    return model._meta.app_label in COMMENTABLE_APPS and _passes_through_system(model)


@cache
def commentable_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if is_commentable(model)]


def system_id_of(obj: models.Model) -> int | None:
    """The id of the system ``obj`` belongs to, following its ``tenant_path``."""
    if isinstance(obj, AlgorithmicSystem):
        return obj.pk
    steps = getattr(type(obj), "tenant_path", "").split("__")
    if "system" not in steps:
        return None
    target = obj
    for step in steps[: steps.index("system")]:
        target = getattr(target, step)
    return target.system_id


def type_key(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def _named(system: AlgorithmicSystem, type_label: str, public_id: str, allowed) -> models.Model:
    """The object of ``system`` named by its type (``app_label.modelname``) and public
    identifier, when ``allowed(model)``; ``ObjectDoesNotExist`` for anything else (so the view
    answers 404, never revealing another body's objects)."""
    try:
        app_label, model_name = (type_label or "").split(".", 1)
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except (ValueError, ContentType.DoesNotExist) as exc:
        raise ObjectDoesNotExist(type_label) from exc
    if model is None or not has_public_id(model) or not allowed(model):
        raise ObjectDoesNotExist(type_label)
    try:
        obj = model._default_manager.get(uuid=public_id)
    except (ValueError, ValidationError, TypeError) as exc:
        raise ObjectDoesNotExist(public_id) from exc
    if system_id_of(obj) != system.pk:
        raise ObjectDoesNotExist(public_id)
    return obj


def resolve(system: AlgorithmicSystem, type_label: str, public_id: str) -> models.Model:
    """The commentable object of ``system`` named by its type and public identifier (a form's
    hidden fields, ``?on=``, an API request)."""
    return _named(system, type_label, public_id, is_commentable)


def shareable(system: AlgorithmicSystem, type_label: str, public_id: str) -> models.Model:
    """The record, assessment or evidence file of ``system`` that the share form names by its
    type and public identifier."""
    return _named(system, type_label, public_id, lambda model: _kind_of(model) is not None)


def label_of(obj: models.Model) -> str:
    """How a comment or disclosure names its object, frozen when written."""
    if isinstance(obj, AlgorithmicSystem):
        return _("System record: %(name)s") % {"name": obj.name}
    name = capfirst(str(obj._meta.verbose_name))
    text = str(obj)
    return text if name.lower() in text.lower() else f"{name}: {text}"


def versioned_label(obj: models.Model) -> str:
    """An assessment's label with its version (unless its name already carries it)."""
    label = label_of(obj)
    version = getattr(obj, "version", None)
    if version is None or f"v{version}" in label:
        return label
    return _("%(label)s, version %(version)s") % {"label": label, "version": version}


def url_of(obj: models.Model, system: AlgorithmicSystem) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    if getter is not None:
        with contextlib.suppress(NoReverseMatch):
            return getter()
    return system.get_absolute_url()


# --- Disclosures ---------------------------------------------------------------------------

_VOLATILE_FIELDS = {"updated_at", "created_at"}


def content_hash(obj: models.Model) -> str:
    """SHA-256 of what is shared: an evidence file's own hash, an assessment's approved content
    hash when it has one, otherwise the canonical JSON of the object's fields (and, for the
    system record, its model and data specifications)."""
    existing = getattr(obj, "sha256", None) or getattr(obj, "content_hash", None)
    if isinstance(existing, str) and len(existing) == 64:
        return existing
    data = {k: v for k, v in audit.snapshot(obj).items() if k not in _VOLATILE_FIELDS}
    if isinstance(obj, AlgorithmicSystem):
        data["model_specifications"] = [audit.snapshot(s) for s in obj.model_specifications.all()]
        data["data_specifications"] = [audit.snapshot(s) for s in obj.data_specifications.all()]
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def assessment_models() -> list[type[models.Model]]:
    """Models of the assessments app that are versioned documents of a system."""
    if not apps.is_installed("assessments"):
        return []
    found = []
    for model in apps.get_app_config("assessments").get_models():
        names = {f.name for f in model._meta.get_fields()}
        system_field = model._meta.get_field("system") if "system" in names else None
        if (
            system_field is not None
            and getattr(system_field, "related_model", None) is AlgorithmicSystem
            and "version" in names
        ):
            found.append(model)
    return found


def disclosable(system: AlgorithmicSystem, *, limit_per_kind: int = 50):
    """``(kind, obj)`` for everything that can be shared in one click: the current record, the
    evidence files and the assessments of ``system`` (one query per kind)."""
    from .choices import DisclosureKind

    items: list[tuple[str, models.Model]] = [(DisclosureKind.RECORD, system)]
    items += [
        (DisclosureKind.ASSESSMENT, obj)
        for model in assessment_models()
        for obj in model._default_manager.filter(system=system).order_by("-pk")[:limit_per_kind]
    ]
    items += [
        (DisclosureKind.EVIDENCE, attachment)
        for attachment in system.attachments.order_by("title", "-revision")[:limit_per_kind]
    ]
    return items


def disclosure_kind(obj: models.Model) -> str | None:
    """What kind of disclosure sharing ``obj`` makes (None: it cannot be shared in one click)."""
    return _kind_of(type(obj))


def _kind_of(model: type[models.Model]) -> str | None:
    from registers.models import Attachment

    from .choices import DisclosureKind

    if issubclass(model, AlgorithmicSystem):
        return DisclosureKind.RECORD
    if issubclass(model, Attachment):
        return DisclosureKind.EVIDENCE
    if model in assessment_models():
        return DisclosureKind.ASSESSMENT
    return None


def content_type_for(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj)
