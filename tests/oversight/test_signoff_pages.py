"""The sign-off page: the manager confirms who they are (password, or their two-factor code)
in the same request as the signature; nothing typed is lost on any failure."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Action
from oversight import hashing, services
from oversight.models import SignOff
from tests.factories import PASSWORD

from .conftest import edit, fresh, sign

pytestmark = pytest.mark.django_db


def url(system):
    return reverse("oversight:signoff", args=[system.uuid])


def form(client, system, **data):
    """The page's hidden fields as served, plus ``data``."""
    page = client.get(url(system))
    initial = page.context["form"].initial
    values = {
        "content_hash": initial["content_hash"],
        "seen_position": initial["seen_position"],
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "10",
        "conditions-0-text": "",
        "conditions-0-owner": "",
        "conditions-0-due_date": "",
        "statement": "I have read the record and the assessments; it may go ahead.",
        "decision": "approved",
    }
    values.update(data)
    return values


def totp_for(user):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        generate_totp_secret,
        hotp_value,
    )

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return lambda: format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_the_page_shows_what_will_be_signed_and_asks_for_the_password(client, cast, ready_system):
    client.force_login(cast.manager)
    response = client.get(url(ready_system))
    html = response.content.decode()
    digest, _snapshot = hashing.content_hash(fresh(ready_system))
    assert digest in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html
    assert 'name="code"' not in html
    assert "Before you can sign off" in html
    assert [c[0] for c in response.context["form"].fields["decision"].choices] == [
        "approved",
        "conditional",
        "refused",
    ]


def test_signing_with_the_password(client, cast, ready_system):
    client.force_login(cast.manager)
    response = client.post(url(ready_system), form(client, ready_system, password=PASSWORD))
    signoff = SignOff.objects.get()
    assert response.status_code == 302 and response["Location"] == signoff.get_absolute_url()
    assert (signoff.decision, signoff.reauthenticated_with, signoff.signed_by) == (
        "approved",
        "password",
        cast.manager,
    )
    detail = client.get(signoff.get_absolute_url()).content.decode()
    assert signoff.content_hash in detail


@pytest.mark.parametrize("password", ["", "wrong-password"])
def test_no_signature_without_the_right_password_and_the_statement_is_kept(
    client, cast, ready_system, password
):
    client.force_login(cast.manager)
    statement = "Safe to pilot: officers approve every rota — ŵ ŷ."
    response = client.post(
        url(ready_system), form(client, ready_system, password=password, statement=statement)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert 'href="#id_password"' in html
    assert statement in html
    assert 'value="approved" checked' in html
    assert not SignOff.objects.exists()


def test_a_manager_with_two_factor_authentication_signs_with_a_code(client, cast, ready_system):
    code = totp_for(cast.manager)
    client.force_login(cast.manager)
    html = client.get(url(ready_system)).content.decode()
    assert (
        'name="code"' in html
        and 'autocomplete="one-time-code"' in html
        and 'name="password"' not in html
    )

    response = client.post(url(ready_system), form(client, ready_system, password=PASSWORD))
    assert (
        response.status_code == 200 and not SignOff.objects.exists()
    )  # the password is not enough
    response = client.post(url(ready_system), form(client, ready_system, code="000000"))
    assert response.status_code == 200 and 'href="#id_code"' in response.content.decode()
    assert not SignOff.objects.exists()

    response = client.post(url(ready_system), form(client, ready_system, code=code()))
    assert response.status_code == 302
    assert SignOff.objects.get().reauthenticated_with == "mfa"


def test_a_used_code_cannot_sign_twice(client, cast, ready_system):
    code = totp_for(cast.manager)
    client.force_login(cast.manager)
    value = code()
    assert client.post(url(ready_system), form(client, ready_system, code=value)).status_code == 302
    response = client.post(
        url(ready_system), form(client, ready_system, code=value, decision="refused")
    )
    assert response.status_code == 200
    assert SignOff.objects.count() == 1


def test_signing_with_conditions_through_the_page(client, cast, ready_system):
    client.force_login(cast.manager)
    due = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    data = form(
        client,
        ready_system,
        password=PASSWORD,
        decision="conditional",
        **{
            "conditions-0-text": "Quarterly review with UNISON.",
            "conditions-0-owner": "Head of HR",
            "conditions-0-due_date": due,
        },
    )
    assert client.post(url(ready_system), data).status_code == 302
    signoff = SignOff.objects.get()
    assert signoff.decision == "conditional"
    action = Action.objects.get(pk=signoff.conditions[0]["action_id"])
    assert (action.description, action.owner, action.due_date.isoformat()) == (
        "Quarterly review with UNISON.",
        "Head of HR",
        due,
    )


def test_adding_another_condition_keeps_everything_and_checks_nothing(client, cast, ready_system):
    client.force_login(cast.manager)
    data = form(
        client,
        ready_system,
        decision="conditional",
        password="not-checked-yet",
        add_condition="1",
        **{"conditions-0-text": "Train the officers.", "conditions-0-owner": "Training lead"},
    )
    response = client.post(url(ready_system), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Error:" not in html.split("</title>")[0]
    assert 'name="conditions-TOTAL_FORMS" value="2"' in html
    assert "Train the officers." in html and 'id="id_conditions-1-text"' in html
    assert not SignOff.objects.exists()


def test_conditions_with_an_unconditional_decision_are_not_dropped_silently(
    client, cast, ready_system
):
    client.force_login(cast.manager)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = form(
        client,
        ready_system,
        password=PASSWORD,
        **{
            "conditions-0-text": "Train the officers.",
            "conditions-0-owner": "Training lead",
            "conditions-0-due_date": due,
        },
    )
    response = client.post(url(ready_system), data)
    assert response.status_code == 200
    assert "You entered conditions" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_change_while_the_manager_reads_is_shown_and_nothing_is_signed(
    client, cast, ready_system
):
    client.force_login(cast.manager)
    data = form(client, ready_system, password=PASSWORD)
    edit(ready_system, cast.hr, "rationale", scope="Now also allocates overtime.")
    response = client.post(url(ready_system), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed while you were reviewing it" in html
    assert "Changed while you were reviewing" in html and "Now also allocates overtime." in html
    assert data["statement"] in html
    assert not SignOff.objects.exists()
    # The page now carries the new content: signing again (password re-entered) succeeds.
    new_hash, _snapshot = hashing.content_hash(fresh(ready_system))
    assert f'value="{new_hash}"' in html
    assert (
        client.post(url(ready_system), form(client, ready_system, password=PASSWORD)).status_code
        == 302
    )
    assert SignOff.objects.get().content_hash == new_hash


def test_only_a_refusal_is_offered_until_the_rest_of_the_gate_is_done(client, cast, system):
    client.force_login(cast.manager)
    response = client.get(url(system))
    assert [c[0] for c in response.context["form"].fields["decision"].choices] == ["refused"]
    html = response.content.decode()
    assert "You can refuse to sign it off now" in html
    response = client.post(
        url(system), form(client, system, password=PASSWORD, decision="approved")
    )
    assert response.status_code == 200 and not SignOff.objects.exists()
    response = client.post(
        url(system),
        form(client, system, password=PASSWORD, decision="refused", statement="Not ready."),
    )
    assert response.status_code == 302
    assert SignOff.objects.get().decision == "refused"


def test_a_preparer_is_told_they_cannot_sign_and_gets_no_form(client, cast, ready_system):
    from accounts.models import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=cast.manager, organisation=cast.organisation, role=Role.HR_OFFICER)
    edit(ready_system, cast.manager, "rationale", benefit="Fairer weekends.")
    client.force_login(cast.manager)
    html = client.get(url(ready_system)).content.decode()
    assert "cannot sign it off yourself" in html
    assert 'name="password"' not in html
    response = client.post(url(ready_system), form(client, ready_system, password=PASSWORD))
    assert response.status_code == 200 and not SignOff.objects.exists()


def test_the_re_sign_banner_shows_the_field_level_diff(client, cast, signed_system):
    edit(
        signed_system, cast.hr, "deployment", frequency_and_scale_of_usage="Daily, for 600 workers."
    )
    for role in ("rep", "auditor", "manager"):
        client.force_login(cast.by_role(role))
        html = client.get(
            reverse("registers:system_detail", args=[signed_system.uuid])
        ).content.decode()
        assert "Re-sign required" in html
        assert "Frequency and scale of use" in html and "Daily, for 600 workers." in html
    client.force_login(cast.manager)
    html = client.get(url(signed_system)).content.decode()
    assert "What changed since the last signature" in html and "Daily, for 600 workers." in html
    sign(signed_system, cast.manager, statement="Signed again.")
    html = client.get(
        reverse("registers:system_detail", args=[signed_system.uuid])
    ).content.decode()
    assert "Re-sign required" not in html


def test_the_page_is_in_welsh_under_cy(client, cast, ready_system):
    client.force_login(cast.manager)
    response = client.get("/cy" + url(ready_system))
    assert response.status_code == 200
    assert '<html lang="cy"' in response.content.decode()


def test_the_status_service_is_what_the_page_shows(cast, signed_system):
    assert services.signoff_status(fresh(signed_system)).is_current
