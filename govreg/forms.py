"""Forms render with GOV.UK Design System markup (templates/govuk/)."""

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/form.html"
    field_template_name = "govuk/field.html"


def add_service_errors(form, error) -> None:
    """Show a service's ValidationError on the form: each field's messages against the field
    when the form has it, everything else in the error summary."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
