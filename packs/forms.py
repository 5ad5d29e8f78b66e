"""Forms for asking for packs. Choices are limited to what the person may ask for, so a
posted id of another body or council is a form error, never a pack."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import permissions

from .services import councils_for

LANGUAGE_CHOICES = [("en", "English"), ("cy", "Cymraeg")]


def _language_field():
    return forms.ChoiceField(
        label=_("Language of the pack"),
        choices=[c for c in LANGUAGE_CHOICES if c[0] in dict(settings.LANGUAGES)],
        widget=forms.RadioSelect,
        initial="cy" if get_language() == "cy" else "en",
    )


class SystemPackForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = _language_field()


class OrganisationPackForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Body"),
        empty_label=None,
        to_field_name="slug",
        help_text=_("Every system of the body, with a summary table first."),
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = permissions.organisations(
            user, "request_pack"
        ).order_by("name")
        self.fields["language"] = _language_field()


class CouncilPackForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=None,
        label=_("Partnership council"),
        empty_label=None,
        to_field_name="slug",
        help_text=_(
            "Covers only the council's bodies whose packs you may download; the pack lists them."
        ),
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils_for(user)
        self.fields["language"] = _language_field()
