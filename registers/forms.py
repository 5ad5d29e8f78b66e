from django import forms
from django.db import models
from django.forms import BaseInlineFormSet, inlineformset_factory, modelform_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User

from .choices import LifecycleStage
from .models import AlgorithmicSystem, DataSpecification, ModelSpecification
from .sections import Section

RADIO_FIELDS = {
    "external_supplier_involvement",
    "build_or_buy",
    "supplier_welsh_language",
}


def formfield_for(db_field, **kwargs):
    """Model form fields as GovReg wants them: web addresses default to https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SystemCreateForm(forms.Form):
    """The first page of recording a system; the rest is filled in section by section."""

    organisation = forms.ModelChoiceField(
        queryset=None, label=_("Organisation"), empty_label=None, to_field_name="slug"
    )
    name = forms.CharField(
        label=_("Name of the system"),
        max_length=200,
        help_text=_("The everyday name people use for it, for example “Rota planner”."),
        # The error summary links to the field with this text: it has to name the field.
        error_messages={"required": _("Enter the name of the system.")},
    )
    one_sentence_description = forms.CharField(
        label=_("What it does, in one sentence"), max_length=300, required=False
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Where is it now?"),
        choices=[
            (s.value, s.label)
            for s in LifecycleStage
            if s not in (LifecycleStage.PAUSED, LifecycleStage.RETIRED)
        ],
        initial=LifecycleStage.PLANNING,
        widget=forms.RadioSelect,
        help_text=_(
            "A system already in pilot or in use is recorded as it is and flagged for assessment."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = organisations
        choices = list(organisations)
        if len(choices) == 1:
            field.initial = choices[0]
            field.widget = forms.HiddenInput()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter the name of the system."))
        return name


class SectionFormBase(forms.ModelForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    section: Section

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Sections save as you go; fields the section needs to be complete are not "optional".
            field.govuk_optional = name not in self.section.required and name != "fingerprint"
            if name in RADIO_FIELDS:
                field.choices = [c for c in field.choices if c[0] != ""]
        if "accountable_manager" in self.fields:
            managers = User.objects.filter(
                memberships__organisation_id=self.instance.organisation_id,
                memberships__role=Role.SENIOR_MANAGER,
                memberships__is_active=True,
            ).distinct()
            field = self.fields["accountable_manager"]
            field.queryset = managers
            field.label = _("Accountable senior manager")
            field.help_text = _("The named senior manager who signs the system off (“human in command”).")
            field.empty_label = _("Choose a senior manager")
        if "name" in self.fields:
            self.fields["name"].required = True


def section_form_class(section: Section) -> type[forms.ModelForm]:
    widgets = {
        name: forms.RadioSelect for name in section.fields if name in RADIO_FIELDS
    }
    widgets.update(
        {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in section.fields
            if name.endswith("_date")
        }
    )
    base = type(f"{section.slug.title()}SectionForm", (SectionFormBase,), {"section": section})
    return modelform_factory(
        AlgorithmicSystem,
        form=base,
        fields=list(section.fields),
        widgets=widgets,
        formfield_callback=formfield_for,
    )


class SpecificationFormSet(BaseInlineFormSet):
    """Each existing row must be a specification of this record: the id of another record's (or
    another body's) specification is an error, never silently saved as a new row."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None:
                invalid = forms.ModelChoiceField.default_error_messages["invalid_choice"]
                form.add_error(None, invalid)


ModelSpecificationFormSet = inlineformset_factory(
    AlgorithmicSystem,
    ModelSpecification,
    formset=SpecificationFormSet,
    formfield_callback=formfield_for,
    exclude=["position"],
    extra=1,
    can_delete=True,
)
DataSpecificationFormSet = inlineformset_factory(
    AlgorithmicSystem,
    DataSpecification,
    formset=SpecificationFormSet,
    formfield_callback=formfield_for,
    exclude=["position"],
    extra=1,
    can_delete=True,
)
FORMSETS = {"models": ModelSpecificationFormSet, "data": DataSpecificationFormSet}


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the evidence"),
        max_length=200,
        help_text=_("Upload a file with the same title again to add a new revision."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, office document, CSV or text file, up to 20 MB."),
    )
