"""The permission layer: what each role may do, in its own body and in another."""

import pytest

from accounts import permissions
from accounts.models import Organisation, Role
from registers.models import AlgorithmicSystem
from tests.factories import MembershipFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    # action: roles that may do it on any system of their body
    "view": {"hr", "rep", "manager", "auditor", "admin"},
    "view_history": {"hr", "rep", "manager", "auditor", "admin"},
    "create_system": {"hr", "admin"},
    "edit_system": {"hr", "admin"},
    "upload_evidence": {"hr", "admin"},
    "change_stage": {"hr", "admin"},
    "publish": {"hr", "admin"},
    "edit_assessment": {"hr", "admin"},
    "submit_assessment": {"hr", "admin"},
    "manage_risks": {"hr", "admin"},
    "manage_consultation": {"hr", "admin"},
    "discuss_consultation": {"hr", "rep", "admin"},
    "manage_rights_requests": {"hr", "admin"},
    "comment": {"hr", "rep", "manager", "admin"},
    "raise_concern": {"rep"},
    "respond_concern": {"hr", "admin"},
    "record_position": {"rep"},
    "request_pack": {"hr", "rep", "manager", "auditor", "admin"},
    "download_pack": {"rep", "manager", "auditor", "admin"},
    "manage_members": {"admin"},
    "configure_reviews": {"admin"},
    # accountable-manager actions: the system's manager, or an admin where the role allows
    "sign_off": {"manager"},
    "pause": {"manager"},
    "retire": {"manager"},
    "restart": {"manager"},
    "record_audit": {"hr", "admin", "manager"},
    "approve_assessment": {"manager", "admin"},
    "accept_risk": {"manager", "admin"},
}


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ["hr", "rep", "manager", "auditor", "admin"])
def test_each_role_may_do_exactly_its_actions_in_its_own_body(cast, system, role, action):
    user = cast.by_role(role)
    assert permissions.can(user, action, system) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ["hr", "rep", "manager", "auditor", "admin"])
def test_nobody_may_do_anything_in_another_body(other, system, role, action):
    assert permissions.can(other.by_role(role), action, system) is False


def test_every_action_is_covered_by_this_table():
    assert set(EXPECTED) == set(permissions.ALL_ACTIONS)


def test_a_senior_manager_signs_off_only_systems_they_are_accountable_for(cast):
    other_manager = UserFactory()
    MembershipFactory(user=other_manager, organisation=cast.organisation, role=Role.SENIOR_MANAGER)
    theirs = SystemFactory(organisation=cast.organisation, accountable_manager=other_manager)
    assert permissions.can(cast.manager, "sign_off", theirs) is False
    assert permissions.can(other_manager, "sign_off", theirs) is True


def test_being_named_accountable_without_the_manager_role_grants_nothing(cast):
    system = SystemFactory(organisation=cast.organisation, accountable_manager=cast.hr)
    assert permissions.can(cast.hr, "sign_off", system) is False


def test_visible_returns_only_the_bodies_with_a_membership(cast, other, system, other_system):
    assert list(permissions.visible(cast.rep, AlgorithmicSystem)) == [system]
    assert list(permissions.visible(other.rep, AlgorithmicSystem)) == [other_system]


def test_a_member_of_two_bodies_sees_both(cast, other, system, other_system):
    MembershipFactory(user=cast.auditor, organisation=other.organisation, role=Role.AUDITOR)
    permissions.forget_memberships(cast.auditor)
    assert set(permissions.visible(cast.auditor, AlgorithmicSystem)) == {system, other_system}
    assert permissions.can(cast.auditor, "view", other_system)
    assert not permissions.can(cast.auditor, "edit_system", other_system)


def test_an_inactive_membership_grants_nothing(cast, system):
    cast.hr.memberships.update(is_active=False)
    permissions.forget_memberships(cast.hr)
    assert not permissions.can(cast.hr, "view", system)
    assert not permissions.visible(cast.hr, AlgorithmicSystem).exists()


def test_anonymous_users_see_and_may_do_nothing(system):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.visible(anonymous, AlgorithmicSystem).exists()
    assert not permissions.can(anonymous, "view", system)
    assert not permissions.visible(anonymous, Organisation).exists()


def test_memberships_are_fetched_once_per_user_object(cast, system, django_assert_num_queries):
    permissions.forget_memberships(cast.hr)
    with django_assert_num_queries(1):
        for action in ("view", "edit_system", "comment", "sign_off"):
            permissions.can(cast.hr, action, system)


def test_unknown_actions_are_a_programming_error(cast, system):
    with pytest.raises(ValueError, match="Unknown action"):
        permissions.can(cast.hr, "edit_sytem", system)
