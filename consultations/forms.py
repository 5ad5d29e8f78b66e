"""Forms of consultation and worker voice. They validate what people type; the rules of the
workflow are checked again in ``consultations/services.py``."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, Union

from .choices import Agreement, AttendeeSide, RightsOutcome, RightsRequestKind, RiskCategory, Stage
from .models import MAX_MINUTES, MAX_TEXT

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _too_long(limit: int):
    return format_lazy(_("Must be {limit} characters or fewer."), limit=f"{limit:,}")


def _no_maxlength(field):
    """The server checks the length and says so; a ``maxlength`` attribute would silently cut
    off pasted text instead (GOV.UK advice)."""
    field.widget.attrs.pop("maxlength", None)
    return field


def text_field(label, *, required=True, limit=MAX_TEXT, help_text="", rows=5, empty_message=None):
    return _no_maxlength(
        forms.CharField(
            label=label,
            required=required,
            max_length=limit,
            help_text=help_text,
            widget=forms.Textarea(attrs={"rows": rows}),
            error_messages={
                "required": empty_message
                or format_lazy(_("Enter the {label}."), label=str(label).lower()),
                "max_length": _too_long(limit),
            },
        )
    )


def line_field(label, *, required=True, limit=200, help_text="", empty_message=None):
    return _no_maxlength(
        forms.CharField(
            label=label,
            required=required,
            max_length=limit,
            help_text=help_text,
            error_messages={
                "required": empty_message
                or format_lazy(_("Enter the {label}."), label=str(label).lower()),
                "max_length": _too_long(limit),
            },
        )
    )


def date_field(label, *, required=True, help_text="", empty_message=None):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DATE_WIDGET,
        error_messages={
            "required": empty_message
            or format_lazy(_("Enter the {label}."), label=str(label).lower()),
            "invalid": _("Enter a real date, for example 27 3 2026."),
        },
    )


def category_field(*, required: bool, empty_label):
    return forms.ChoiceField(
        label=_("What kind of concern is it?"),
        choices=[("", empty_label), *RiskCategory.choices],
        required=required,
        help_text=_("The categories of the register's risk taxonomy."),
        error_messages={"required": _("Choose the category that fits the concern best.")},
    )


def unions_for(organisation_id: int, selected=()):
    """The unions whose reps are members of the body (and any already chosen); every union
    when the body has no reps yet."""
    recognised = Union.objects.filter(
        Q(memberships__organisation_id=organisation_id, memberships__role=Role.UNION_REP)
        | Q(pk__in=[u.pk for u in selected])
    ).distinct()
    return recognised if recognised.exists() else Union.objects.all()


# --- Consultations ------------------------------------------------------------------------


class ConsultationForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=Stage.choices,
        widget=forms.RadioSelect,
        help_text=_("The stages of the worker voice in procurement toolkit."),
        error_messages={"required": _("Choose the stage of the consultation.")},
    )
    unions = forms.ModelMultipleChoiceField(
        label=_("Unions to consult"),
        queryset=Union.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one union to consult.")},
    )
    summary = text_field(
        _("What is being consulted on"),
        required=False,
        help_text=_(
            "What the employer proposes at this stage and what it wants the unions' view on."
        ),
    )
    planned_start = date_field(_("Planned start"), required=False)

    def __init__(self, *args, organisation_id: int, with_stage: bool = True, selected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unions"].queryset = unions_for(organisation_id, selected)
        if not with_stage:
            del self.fields["stage"]


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        help_text=_("It cannot claim more agreement than the unions' recorded positions."),
        error_messages={"required": _("Choose the outcome.")},
    )
    outcome_summary = text_field(
        _("Outcome in detail"),
        required=False,
        help_text=_(
            "What was agreed, the conditions, or where the parties disagree. Needed unless everything was agreed."
        ),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("outcome")
            and data["outcome"] != Agreement.AGREED
            and not data.get("outcome_summary", "").strip()
        ):
            self.add_error(
                "outcome_summary", _("Enter the conditions, or where the parties disagree.")
            )
        return data


class ChecklistForm(forms.Form):
    """One checkbox and notes box per prompt for discussion."""

    def __init__(self, *args, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = list(points)
        for point in self.points:
            self.fields[f"discussed_{point.pk}"] = forms.BooleanField(
                label=_("Discussed"), required=False, initial=point.discussed
            )
            field = text_field(_("Notes"), required=False, rows=3)
            field.initial = point.notes
            self.fields[f"notes_{point.pk}"] = field

    def rows(self):
        return [
            (point, self[f"discussed_{point.pk}"], self[f"notes_{point.pk}"])
            for point in self.points
        ]

    def values(self) -> dict[int, tuple[bool, str]]:
        return {
            point.pk: (
                self.cleaned_data[f"discussed_{point.pk}"],
                self.cleaned_data[f"notes_{point.pk}"],
            )
            for point in self.points
        }


class MeetingForm(forms.Form):
    held_on = date_field(_("Date of the meeting"))
    title = line_field(
        _("Title"), required=False, help_text=_("For example “Second consultation meeting”.")
    )
    minutes = text_field(_("Minutes"), required=False, limit=MAX_MINUTES, rows=10)
    decisions = text_field(
        _("Decisions"), required=False, help_text=_("What the meeting decided or agreed.")
    )


class AttendeeForm(forms.Form):
    name = line_field(_("Name"), required=False)
    role = line_field(_("Role"), required=False, help_text=_("For example “Branch secretary”."))
    side = forms.ChoiceField(
        label=_("Attending for"), choices=AttendeeSide.choices, initial=AttendeeSide.EMPLOYER
    )
    union = forms.ModelChoiceField(
        label=_("Union"),
        queryset=Union.objects.all(),
        required=False,
        empty_label=_("None"),
        help_text=_("Needed if they attended for a union."),
    )

    def clean(self):
        data = super().clean()
        if data.get("side") == AttendeeSide.UNION and data.get("name") and not data.get("union"):
            self.add_error("union", _("Choose the union this person attended for."))
        return data


def attendee_formset(data=None, *, initial=None, blank_rows=4, prefix="attendees"):
    initial = list(initial or [])
    formset_class = forms.formset_factory(
        AttendeeForm, extra=blank_rows, max_num=40, absolute_max=40
    )
    return formset_class(data, initial=initial, prefix=prefix)


class DocumentDisclosureForm(forms.Form):
    title = line_field(_("Title of the document"), limit=300)
    reference = line_field(
        _("Document reference or link"),
        required=False,
        limit=500,
        help_text=_("Where the reps can find it: a file reference, or a link."),
    )
    note = text_field(_("Note"), required=False, rows=3)


class ShareForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput)
    note = text_field(_("Note"), required=False, rows=2)


class PositionForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Your union's position"),
        choices=Agreement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your union's position.")},
    )
    statement = text_field(
        _("Your union's view"),
        help_text=_(
            "The union's view in its own words. It is shown to everyone who can see this system."
        ),
        empty_message=_("Enter your union's view."),
    )
    conditions = text_field(
        _("Conditions"),
        required=False,
        help_text=_("Needed if you agree with conditions."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("position") == Agreement.AGREED_WITH_CONDITIONS
            and not data.get("conditions", "").strip()
        ):
            self.add_error("conditions", _("Enter the conditions of your agreement."))
        return data


# --- Comments -----------------------------------------------------------------------------


class CommentForm(forms.Form):
    body = text_field(_("Comment"), empty_message=_("Enter your comment."), rows=4)
    target_type = forms.CharField(widget=forms.HiddenInput, required=False)
    target_id = forms.CharField(widget=forms.HiddenInput, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Enter your comment."))
        return body


class ReplyForm(CommentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Reply")
        self.fields["body"].error_messages["required"] = _("Enter your reply.")
        del self.fields["target_type"]
        del self.fields["target_id"]


class MarkConcernForm(forms.Form):
    category = category_field(required=True, empty_label=_("Choose a category"))
    summary = line_field(
        _("Summary"),
        help_text=_("One line that says what the concern is. The comment becomes its details."),
        empty_message=_("Enter a summary of the concern."),
    )


# --- Concerns -----------------------------------------------------------------------------


class ConcernForm(forms.Form):
    category = category_field(required=True, empty_label=_("Choose a category"))
    summary = line_field(
        _("Summary"),
        help_text=_("One line that says what the concern is."),
        empty_message=_("Enter a summary of the concern."),
    )
    details = text_field(
        _("Details"),
        help_text=_("What happened or could happen, who it affects and what you would like done."),
        empty_message=_("Enter the details of the concern."),
        rows=8,
    )


class RespondForm(forms.Form):
    text = text_field(
        _("Response"),
        help_text=_("The employer's response. The union reps are told, and see it on this page."),
        empty_message=_("Enter the response."),
        rows=8,
    )
    category = category_field(required=False, empty_label=_("Not categorised"))


class ConcernActionForm(forms.Form):
    text = text_field(_("Reason"), rows=4)

    def __init__(self, *args, label, required, empty_message="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        field.label = label
        field.required = required
        field.error_messages = {**field.error_messages, "required": empty_message}


# --- The public, anonymous concern form ---------------------------------------------------

PUBLIC_FORM_SALT = "consultations.public-concern-form"
PUBLIC_FORM_MAX_AGE = 6 * 60 * 60  # a form older than this is refreshed


def min_fill_seconds() -> int:
    return getattr(settings, "CONCERN_FORM_MIN_SECONDS", 5)


class PublicConcernForm(forms.Form):
    """No name, no e-mail, nothing that identifies the worker. ``website`` is a honeypot that
    people never see; ``started`` is a signed timestamp (forms sent within seconds of being
    shown are from machines)."""

    category = category_field(required=False, empty_label=_("I'm not sure"))
    summary = line_field(
        _("Summary"),
        help_text=_("One line that says what the concern is."),
        empty_message=_("Enter a summary of your concern."),
    )
    details = text_field(
        _("Your concern"),
        help_text=_(
            "What happened or could happen, and who it affects. Do not include your name or "
            "anything that identifies you or other people unless you want the employer to know it."
        ),
        empty_message=_("Enter your concern."),
        rows=8,
    )
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    MAX_LINKS = 3

    def __init__(self, *args, system_pk: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.system_pk = system_pk
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["category"].label = _("What is it about? (optional)")
        self.fields["category"].help_text = ""
        if not self.is_bound:
            self.initial["started"] = self.token()

    def token(self) -> str:
        return signing.dumps({"s": self.system_pk, "t": int(time.time())}, salt=PUBLIC_FORM_SALT)

    @property
    def is_honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean_details(self):
        details = self.cleaned_data["details"].strip()
        if not details:
            raise forms.ValidationError(_("Enter your concern."))
        if details.count("http://") + details.count("https://") > self.MAX_LINKS:
            raise forms.ValidationError(
                _("Your concern has more than %(n)s links. Remove some links and send it again.")
                % {"n": self.MAX_LINKS}
            )
        return details

    def clean(self):
        data = super().clean()
        try:
            started = signing.loads(
                data.get("started") or "", salt=PUBLIC_FORM_SALT, max_age=PUBLIC_FORM_MAX_AGE
            )
            valid = started.get("s") == self.system_pk
        except (signing.BadSignature, AttributeError):
            started, valid = None, False
        if not valid:
            self.add_error(
                None,
                _("This form had expired. Check what you wrote and send it again."),
            )
        elif time.time() - started["t"] < min_fill_seconds():
            self.add_error(
                None,
                _(
                    "The form was sent too quickly to be checked. Check what you wrote and send it again."
                ),
            )
        return data

    def refresh_token(self):
        """After an error, keep what was typed but give the form a fresh timestamp."""
        data = self.data.copy()
        data["started"] = self.token()
        self.data = data


# --- Rights requests ----------------------------------------------------------------------


class RightsRequestForm(forms.Form):
    case_reference = line_field(
        _("Case reference"),
        limit=50,
        help_text=_("Your case reference, not the person's name."),
    )
    kind = forms.ChoiceField(
        label=_("Type of request"),
        choices=RightsRequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the type of request.")},
    )
    received_on = date_field(
        _("Date received"),
        help_text=_("A response is due one calendar month later."),
    )
    decision_reference = line_field(
        _("Decision it is about"),
        required=False,
        help_text=_("A reference to the decision, for example a rota week or case number."),
    )
    summary = text_field(_("What was asked"), required=False, rows=4)
    requester_details = text_field(
        _("Details of the person"),
        required=False,
        limit=1000,
        rows=3,
        help_text=_("Only if you need them to handle the request. Leave empty otherwise."),
    )


class ExtendForm(forms.Form):
    reason = text_field(
        _("Reason for the extension"),
        help_text=_(
            "Why the request is complex or one of many. The response becomes due two months later."
        ),
        rows=4,
    )
    notified_on = date_field(
        _("Date the person was told"),
        help_text=_("They must be told within the first month, with the reasons."),
    )


class CloseForm(forms.Form):
    closed_on = date_field(_("Date closed"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=RightsOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome.")},
    )
    outcome_notes = text_field(_("Outcome in detail"), required=False, rows=4)
