"""The comment threads of ``consultations/includes/comments.html``, built in Python.

A system page shows every thread on the record (twenty or more), and through the template
language each thread cost some thirty tags and lookups: a date filter, links reversed one by
one, translation tags and, for people who may comment, three forms. Here each thread is built
from strings made once per page (the links' parts, the translations, the CSRF field), with the
same markup and the same escaping as the template it replaces (values are escaped; the
translations, like ``{% translate "…" %}`` of a literal, are not).
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from govreg.links import id_url
from govreg.templatetags.govuk import escape

register = template.Library()


def _when(value) -> str:
    """``{{ value|date:"j F Y H:i" }}``: the day, the month's name in the active language
    (``django.utils.dates.MONTHS``, as the filter's), the year and the time, in local time."""
    local = timezone.localtime(value)
    return escape(
        f"{local.day} {MONTHS[local.month]} {local.year:04d} {local.hour:02d}:{local.minute:02d}"
    )


def _csrf_field(context) -> str:
    """What ``{% csrf_token %}`` renders."""
    value = context.get("csrf_token")
    if not value or value == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(value)}">'


class _Page:
    """What every thread of one list shares: links, translations, permissions."""

    def __init__(self, context, comments):
        system_uuid = comments["system"].uuid
        self.concern_url = id_url("consultations:concern_detail", system_uuid)
        self.mark_url = id_url("consultations:comment_concern", system_uuid)
        self.rep_ids = comments["rep_ids"]
        self.can_raise_concern = comments["can_raise_concern"]
        self.can_comment = comments["can_comment"]
        rep = f' <span class="govuk-body-s app-meta">({_("union rep")})</span>'
        self.rep = rep
        self.formal = _("Formal concern")
        self.mark = _("Mark as a formal concern")
        if self.can_comment:
            self.reopen_url = id_url("consultations:comment_reopen", system_uuid)
            self.resolve_url = id_url("consultations:comment_resolve", system_uuid)
            self.reply_url = id_url("consultations:comment_reply", system_uuid)
            self.csrf = _csrf_field(context)
            self.next = escape(comments["next"])

    def concern_or_mark(self, comment, before: str, indent: str, reply: bool) -> str:
        """The formal-concern link, or the link to make the comment one (``before``: the
        paragraph's classes)."""
        # The concern it became, if any (a reverse one-to-one: an absent one raises).
        concern = getattr(comment, "concern", None)
        if concern:
            return (
                f'<p class="{before}"><strong class="govuk-tag govuk-tag--orange">{self.formal}'
                f'</strong> <a class="govuk-link" href="{escape(self.concern_url(concern.uuid))}">'
                f"{escape(concern.reference)}</a></p>\n{indent}"
            )
        if self.can_raise_concern and comment.author_id in self.rep_ids:
            hidden = (_("reply by %(author)s") if reply else _("comment by %(author)s")) % {
                "author": escape(comment.author)
            }
            return (
                f'<p class="{before} app-no-print"><a class="govuk-link" '
                f'href="{escape(self.mark_url(comment.uuid))}">{self.mark}'
                f'<span class="govuk-visually-hidden"> ({hidden})</span></a></p>'
            )
        return ""

    def reply(self, reply) -> str:
        return (
            '\n      <li class="govuk-inset-text govuk-!-margin-top-2 govuk-!-margin-bottom-2">'
            '\n        <p class="govuk-body govuk-!-margin-bottom-1"><strong>'
            f"{escape(reply.author)}</strong>"
            + (self.rep if reply.author_id in self.rep_ids else "")
            + f' <span class="govuk-body-s app-meta">{_when(reply.created_at)}</span></p>'
            '\n        <p class="govuk-body govuk-!-margin-bottom-0 app-summary-break">'
            f"{escape(reply.body)}</p>\n        "
            + self.concern_or_mark(
                reply, "govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0", "        ", True
            )
            + "\n      </li>\n      "
        )

    def actions(self, thread) -> str:
        """The forms of someone who may comment: resolve or reopen, and reply."""
        started_by = _("started by %(author)s") % {"author": escape(thread.author)}
        if thread.is_resolved:
            url, label = self.reopen_url, _("Reopen the thread")
        else:
            url, label = self.resolve_url, _("Resolve the thread")
        html = (
            '\n    <div class="govuk-button-group app-no-print">\n      '
            f'\n      <form method="post" action="{escape(url(thread.uuid))}">{self.csrf}'
            f'<input type="hidden" name="next" value="{self.next}">'
            '\n        <button type="submit" class="govuk-button govuk-button--secondary '
            'govuk-!-margin-bottom-0" data-module="govuk-button">'
            f'{label}<span class="govuk-visually-hidden"> ({started_by})</span></button>'
            "\n      </form>\n      \n    </div>\n    "
        )
        if not thread.is_resolved:
            to_thread = _("to the thread started by %(author)s") % {"author": escape(thread.author)}
            html += (
                '\n    <details class="govuk-details app-no-print">'
                '\n      <summary class="govuk-details__summary">'
                f'<span class="govuk-details__summary-text">{_("Reply")}'
                f'<span class="govuk-visually-hidden"> ({to_thread})</span></span></summary>'
                '\n      <div class="govuk-details__text">'
                f'\n        <form method="post" action="{escape(self.reply_url(thread.uuid))}" novalidate>'
                f"{self.csrf}"
                f'\n          <input type="hidden" name="next" value="{self.next}">'
                '\n          <div class="govuk-form-group">'
                '\n            <label class="govuk-label govuk-label--s" '
                f'for="reply-{thread.pk}">{_("Your reply")}</label>'
                '\n            <textarea class="govuk-textarea" '
                f'id="reply-{thread.pk}" name="body" rows="3"></textarea>'
                "\n          </div>"
                '\n          <button type="submit" class="govuk-button govuk-button--secondary" '
                f'data-module="govuk-button">{_("Post the reply")}</button>'
                "\n        </form>\n      </div>\n    </details>\n    "
            )
        return html + "\n    "

    def thread(self, thread, first: bool) -> str:
        replies = thread.replies.all()
        html = [
            "\n  ",
            ""
            if first
            else '<hr class="govuk-section-break govuk-section-break--m govuk-section-break--visible">',
            f'\n  <article aria-labelledby="thread-{thread.pk}">'
            f'\n    <h3 class="govuk-heading-s govuk-!-margin-bottom-1" id="thread-{thread.pk}">'
            f"{escape(thread.author)}",
            self.rep if thread.author_id in self.rep_ids else "",
            f' <strong class="govuk-tag govuk-tag--grey">{_("Resolved")}</strong>'
            if thread.is_resolved
            else "",
            f'</h3>\n    <p class="govuk-body-s app-meta govuk-!-margin-bottom-1">'
            f"{_when(thread.created_at)}</p>"
            f'\n    <p class="govuk-body app-summary-break">{escape(thread.body)}</p>\n    ',
            self.concern_or_mark(thread, "govuk-body-s", "    ", False),
            "\n    ",
        ]
        if replies:
            html.append('\n    <ul class="govuk-list">\n      ')
            html.extend(self.reply(reply) for reply in replies)
            html.append("\n    </ul>\n    ")
        html.append("\n    ")
        if thread.is_resolved:
            done = _("Resolved by %(who)s on %(when)s.") % {
                "who": escape(thread.resolved_by),
                "when": _when(thread.resolved_at),
            }
            html.append(f'\n    <p class="govuk-body-s app-meta">{done}</p>\n    ')
        elif thread.reopened_at:
            done = _("Reopened by %(who)s on %(when)s.") % {
                "who": escape(thread.reopened_by),
                "when": _when(thread.reopened_at),
            }
            html.append(f'\n    <p class="govuk-body-s app-meta">{done}</p>\n    ')
        html.append("\n    ")
        if self.can_comment:
            html.append(self.actions(thread))
        html.append("\n  </article>\n")
        return "".join(html)


@register.simple_tag(takes_context=True)
def comment_threads(context, comments) -> str:
    """Every thread of ``comments`` (``consultations.comments.comments_context``)."""
    threads = comments["threads"]
    if not threads:
        return mark_safe(f'\n  <p class="govuk-body">{_("No comments yet.")}</p>\n')  # noqa: S308
    page = _Page(context, comments)
    return mark_safe(  # noqa: S308 - every value is escaped; the texts are ours
        "".join(page.thread(thread, i == 0) for i, thread in enumerate(threads))
    )
