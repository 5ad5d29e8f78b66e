from django import forms
from django.utils.translation import gettext_lazy as _


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, for example “Monthly report script”."),
    )
    access = forms.ChoiceField(
        label=_("What may the token do?"),
        choices=[
            ("read", _("Read only: see what you can see")),
            ("write", _("Read and change: also do what your roles allow you to change")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name for the token."))
        return name
