"""Forms of the sign-off, lifecycle, review-interval and post-deployment audit pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registers.choices import LifecycleStage

from .choices import (
    QUESTION_HINTS,
    AuditQuestion,
    BiasMetric,
    Characteristic,
    Decision,
    FeedbackSource,
    Outcome,
    PassesWhen,
    Rating,
)
from .models import MAX_CONDITIONS, ReviewPolicy

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_TEXT = 5000


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- Sign-off ----------------------------------------------------------------------------------


class SignOffForm(forms.Form):
    """The decision, the statement and the signatory's password or two-factor code.

    The credential is checked here with allauth (the password through the account adapter, a
    code through the MFA reauthentication form, which also rate-limits attempts), so a
    signature is never recorded without the signatory proving who they are in the same
    request.
    """

    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (Decision.APPROVED.value, _("Sign it off")),
            (Decision.CONDITIONAL.value, _("Sign it off with conditions")),
            (Decision.REFUSED.value, _("Refuse to sign it off")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose your decision")},
    )
    statement = forms.CharField(
        label=_("Your statement"),
        max_length=MAX_TEXT,
        error_messages={"required": _("Enter your statement")},
        widget=_textarea(6),
        help_text=_(
            "Why you have reached this decision. It is kept with the sign-off and shown to HR, "
            "the union representatives and auditors."
        ),
    )
    content_hash = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_position = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, user, uses_mfa: bool, approvals_allowed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.uses_mfa = uses_mfa
        self.mfa_form = None
        if not approvals_allowed:
            self.fields["decision"].choices = [(Decision.REFUSED.value, Decision.REFUSED.label)]
        if uses_mfa:
            self.fields["code"] = forms.CharField(
                label=_("Code from your authenticator app"),
                max_length=64,
                error_messages={"required": _("Enter the code from your authenticator app")},
                help_text=_(
                    "To sign, confirm it is you: enter the 6-digit code your authenticator app "
                    "shows now, or one of your recovery codes."
                ),
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "one-time-code",
                        "inputmode": "numeric",
                        "spellcheck": "false",
                        "class": "govuk-input--width-10",
                    }
                ),
            )
        else:
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                max_length=4096,
                error_messages={"required": _("Enter your password")},
                strip=False,
                help_text=_("To sign, confirm it is you by entering your password."),
                widget=forms.PasswordInput(
                    attrs={"autocomplete": "current-password", "spellcheck": "false"}
                ),
            )

    def clean_password(self):
        from allauth.account.forms import ReauthenticateForm

        password = self.cleaned_data["password"]
        if not ReauthenticateForm(user=self.user, data={"password": password}).is_valid():
            raise ValidationError(_("The password is not right"), code="incorrect_password")
        return password

    def clean_code(self):
        from allauth.mfa.base.forms import ReauthenticateForm

        code = self.cleaned_data["code"]
        form = ReauthenticateForm(user=self.user, data={"code": code})
        if not form.is_valid():
            raise ValidationError(
                _("The code is not right, or has been used already: enter the code shown now"),
                code="incorrect_code",
            )
        self.mfa_form = form
        return code

    @property
    def reauth_field(self) -> str:
        return "code" if self.uses_mfa else "password"


class ConditionForm(forms.Form):
    text = forms.CharField(
        label=_("Condition"),
        max_length=MAX_TEXT,
        error_messages={"required": _("Enter the condition")},
        widget=_textarea(2),
        help_text=_("What must be done. It becomes an action in the system's action plan."),
    )
    owner = forms.CharField(
        label=_("Lead"),
        max_length=200,
        help_text=_("A person or team."),
        error_messages={"required": _("Enter who leads the condition")},
    )
    due_date = forms.DateField(
        label=_("Due date"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Enter the date the condition is due"),
            "invalid": _("Enter the due date as a real date"),
        },
    )


ConditionFormSet = forms.formset_factory(
    ConditionForm, extra=1, max_num=MAX_CONDITIONS, absolute_max=MAX_CONDITIONS
)


def grown(data, prefix: str, limit: int):
    """A copy of posted formset ``data`` with one more (empty) form, for "add another"."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 1))
    except (TypeError, ValueError):
        total = 1
    data[key] = str(min(total + 1, limit))
    return data


def filled(formset) -> list[dict]:
    """The cleaned data of the rows that were filled in (blank extra rows are skipped)."""
    return [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]


# --- Lifecycle ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        error_messages={"required": _("Enter the reason")},
        widget=_textarea(5),
        help_text=_("Recorded in the system's history and sent to the people told."),
    )

    def __init__(self, *args, reason_label=None, reason_hint=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_label:
            self.fields["reason"].label = reason_label
        if reason_hint:
            self.fields["reason"].help_text = reason_hint


class StageForm(ReasonForm):
    to_stage = forms.ChoiceField(
        label=_("Move the system to"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the stage"),
            "invalid_choice": _("Choose one of the stages listed"),
        },
    )

    field_order = ["to_stage", "reason"]

    def __init__(self, *args, targets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(t, LifecycleStage(t).label) for t in targets]


# --- Review intervals --------------------------------------------------------------------------


class ReviewPolicyForm(forms.ModelForm):
    class Meta:
        model = ReviewPolicy
        fields = list(ReviewPolicy.DEFAULTS)
        widgets = {
            name: forms.NumberInput(attrs={"min": 1, "max": 60}) for name in ReviewPolicy.DEFAULTS
        }


# --- Post-deployment audit ---------------------------------------------------------------------


class AuditForm(forms.Form):
    """The audit: its period and people, the six questions, feedback and the outcome.

    The questions' fields are ``<question>_rating``, ``<question>_evidence`` and
    ``<question>_follow_up`` (the names the service's errors use).
    """

    period_start = forms.DateField(label=_("Period audited: from"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Period audited: to"), widget=DATE_WIDGET)
    conducted_on = forms.DateField(label=_("Date of the audit"), widget=DATE_WIDGET)
    conducted_by = forms.CharField(
        label=_("Who carried it out"),
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Names and roles, including the union representatives who took part."),
    )
    worker_feedback = forms.CharField(
        label=_("Summary of worker feedback"),
        max_length=MAX_TEXT,
        widget=_textarea(6),
        help_text=_("What workers and their representatives said, and how it was used."),
    )
    feedback_sources = forms.MultipleChoiceField(
        label=_("Where the feedback came from"),
        choices=FeedbackSource.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rep_access = forms.CharField(
        label=_("Union representatives' access to the system"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        required=False,
        help_text=_(
            "When representatives examined decisions made or supported by the system in this "
            "period, and what they found."
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Pause or stop take effect at once when you record the audit; only the system's "
            "accountable senior manager can record them."
        ),
    )
    outcome_reasons = forms.CharField(
        label=_("Reasons for the outcome"),
        max_length=MAX_TEXT,
        widget=_textarea(5),
        help_text=_("Why, and any changes to be made."),
    )
    next_review_date = forms.DateField(
        label=_("Next review due"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "Leave empty to set it from the system's impact level and your body's review intervals."
        ),
    )

    BEFORE_QUESTIONS = ("period_start", "period_end", "conducted_on", "conducted_by")
    REQUIRED = {
        "period_start": _("Enter the start of the period audited"),
        "period_end": _("Enter the end of the period audited"),
        "conducted_on": _("Enter the date of the audit"),
        "conducted_by": _("Enter who carried out the audit"),
        "worker_feedback": _("Enter the summary of worker feedback"),
        "outcome": _("Choose the outcome"),
        "outcome_reasons": _("Enter the reasons for the outcome"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("Enter a real date")
        for number, question in enumerate(AuditQuestion, start=1):
            key = question.value
            self.fields[f"{key}_rating"] = forms.ChoiceField(
                label=question.label,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                help_text=QUESTION_HINTS.get(question, ""),
                error_messages={
                    "required": _("Choose a rating for question %(n)d") % {"n": number}
                },
            )
            self.fields[f"{key}_evidence"] = forms.CharField(
                label=_("Evidence"),
                max_length=MAX_TEXT,
                widget=_textarea(4),
                error_messages={
                    "required": _("Enter the evidence for question %(n)d") % {"n": number}
                },
            )
            self.fields[f"{key}_follow_up"] = forms.CharField(
                label=_("What will be done"),
                max_length=MAX_TEXT,
                widget=_textarea(3),
                required=False,
                help_text=_("Needed when the answer is not “Yes”."),
            )
            self.fields[f"{key}_follow_up"].govuk_optional = False  # needed unless "Yes"

    def question_groups(self):
        """``(number, question, [bound fields])`` for the template."""
        return [
            (
                number,
                question,
                [self[f"{question.value}_{part}"] for part in ("rating", "evidence", "follow_up")],
            )
            for number, question in enumerate(AuditQuestion, start=1)
        ]

    def fields_named(self, *names):
        return [self[name] for name in names]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The end of the period must be on or after its start"))
        return data


class BiasRowForm(forms.Form):
    """One bias-audit result; a row left empty is skipped."""

    characteristic = forms.ChoiceField(label=_("Characteristic"), choices=Characteristic.choices)
    groups = forms.CharField(
        label=_("Groups compared"),
        max_length=300,
        help_text=_("For example: workers aged 55 and over against workers under 55."),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=BiasMetric.choices)
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=4)
    threshold = forms.DecimalField(
        label=_("Threshold"),
        max_digits=12,
        decimal_places=4,
        help_text=_("The threshold your body chose (0.8 for the four-fifths rule, for example)."),
    )
    passes_when = forms.ChoiceField(
        label=_("Passes when"),
        choices=[("", _("As usual for the metric")), *PassesWhen.choices],
        required=False,
    )
    method = forms.CharField(label=_("Method"), max_length=2000, required=False)


def _bias_messages() -> None:
    required = {
        "characteristic": _("Choose the characteristic"),
        "groups": _("Enter the groups compared"),
        "metric": _("Choose the metric"),
        "value": _("Enter the value"),
        "threshold": _("Enter the threshold"),
    }
    for name, message in required.items():
        BiasRowForm.base_fields[name].error_messages["required"] = message
    invalid = {
        "value": _("Enter the value as a number"),
        "threshold": _("Enter the threshold as a number"),
    }
    for name, message in invalid.items():
        BiasRowForm.base_fields[name].error_messages["invalid"] = message


_bias_messages()

BiasFormSet = forms.formset_factory(BiasRowForm, extra=1, max_num=30, absolute_max=30)
