"""Forms of the assessments app. Assessment sections use ``schema.ContentForm`` and
``aia.SectionForm``; these are the risk register, action plan and workflow forms."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Progress, RiskStatus
from .models import Action, Risk

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _drop_blank(field: forms.Field) -> None:
    field.choices = [c for c in field.choices if c[0] not in ("", None)]


class RiskForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Risk
        fields = [
            "category",
            "description",
            "affected_groups",
            "likelihood",
            "impact",
            "owner",
            "mitigation",
            "residual_likelihood",
            "residual_impact",
            "status",
            "review_due",
            "gwc_principle",
        ]
        widgets = {
            "likelihood": forms.RadioSelect,
            "impact": forms.RadioSelect,
            "residual_likelihood": forms.RadioSelect,
            "residual_impact": forms.RadioSelect,
            "status": forms.RadioSelect,
            "review_due": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "affected_groups": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "category": _("Category"),
            "description": _("Describe the risk"),
            "affected_groups": _("Which groups of workers are affected?"),
            "likelihood": _("Likelihood (before mitigation)"),
            "impact": _("Impact (before mitigation)"),
            "owner": _("Risk owner"),
            "mitigation": _("Mitigation"),
            "residual_likelihood": _("Residual likelihood (after mitigation)"),
            "residual_impact": _("Residual impact (after mitigation)"),
            "status": _("Status"),
            "review_due": _("Next review"),
            "gwc_principle": _("Good Work Charter principle"),
        }
        error_messages = {
            "category": {"required": _("Choose a category.")},
            "description": {"required": _("Describe the risk.")},
            "likelihood": {
                "required": _("Choose the likelihood."),
                "invalid_choice": _("Choose a likelihood from 1 to 5."),
            },
            "impact": {
                "required": _("Choose the impact."),
                "invalid_choice": _("Choose an impact from 1 to 5."),
            },
            "residual_likelihood": {"invalid_choice": _("Choose a likelihood from 1 to 5.")},
            "residual_impact": {"invalid_choice": _("Choose an impact from 1 to 5.")},
            "owner": {"required": _("Name the risk owner.")},
            "status": {"required": _("Choose the status.")},
        }
        help_texts = {
            "category": _("From GovReg's taxonomy of the risks of algorithmic management."),
            "owner": _("A name or a role, for example “Workforce Informatics Lead”."),
            "residual_likelihood": _(
                "Leave both residual scores empty until the mitigation is assessed."
            ),
            "review_due": _("Today or later."),
            "gwc_principle": _("Optional secondary tag."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact", "status"):
            _drop_blank(self.fields[name])
        current = self.instance.status if self.instance.pk else None
        self.fields["status"].choices = [
            (value, label)
            for value, label in self.fields["status"].choices
            if value != RiskStatus.ACCEPTED or current == RiskStatus.ACCEPTED
        ]
        self.fields["status"].help_text = _(
            "To accept a risk, use “Accept this risk”: it records who accepted it, why and until when."
        )
        self.fields["category"].empty_label = None
        self.fields["category"].choices = [("", _("Choose a category"))] + [
            c for c in self.fields["category"].choices if c[0]
        ]
        self.fields["gwc_principle"].choices = [("", _("None"))] + [
            c for c in self.fields["gwc_principle"].choices if c[0]
        ]
        for name in (
            "residual_likelihood",
            "residual_impact",
            "review_due",
            "mitigation",
            "affected_groups",
            "gwc_principle",
        ):
            self.fields[name].govuk_optional = True
        if not self.instance.pk:
            self.fields["status"].initial = RiskStatus.OPEN

    def clean(self):
        cleaned = super().clean()
        rl, ri = cleaned.get("residual_likelihood"), cleaned.get("residual_impact")
        if (rl is None) != (ri is None):
            missing = "residual_impact" if ri is None else "residual_likelihood"
            self.add_error(
                missing, _("Give both the residual likelihood and the residual impact, or neither.")
            )
        return cleaned


class AcceptRiskForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the risk accepted?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Say why the risk is accepted.")},
    )
    until = forms.DateField(
        label=_("Accepted until"),
        help_text=_("The acceptance lapses on this date and the risk reopens."),
        widget=DATE_WIDGET,
        error_messages={"required": _("Enter the date the acceptance lasts until.")},
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.localdate():
            raise forms.ValidationError(_("The acceptance must last until a date in the future."))
        return until


class ActionForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = ["description", "owner", "due_date", "risk"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE_WIDGET,
        }
        labels = {
            "description": _("What will be done?"),
            "owner": _("Lead"),
            "due_date": _("Due date"),
            "risk": _("Risk it mitigates"),
        }
        error_messages = {
            "description": {"required": _("Say what will be done.")},
            "owner": {"required": _("Name the lead.")},
            "due_date": {"required": _("Enter the due date."), "invalid": _("Enter a real date.")},
        }
        help_texts = {
            "owner": _("A name, role or team, for example “Head of HR/OD”."),
            "due_date": _("Today or later."),
        }

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.filter(system=system).order_by("number")
        self.fields["risk"].empty_label = _("None")
        self.fields["risk"].label_from_instance = lambda r: str(r)
        self.fields["risk"].govuk_optional = True


class ProgressUpdateForm(forms.Form):
    progress = forms.ChoiceField(
        label=_("Progress"),
        choices=Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the progress.")},
    )
    on = forms.DateField(
        label=_("Date of the update"),
        widget=DATE_WIDGET,
        help_text=_("Today or earlier."),
        error_messages={"required": _("Enter the date of the update.")},
    )
    note = forms.CharField(
        label=_("What has happened?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Say what has happened.")},
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(_("The date must be today or in the past."))
        return on


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Say what needs to change.")},
    )
