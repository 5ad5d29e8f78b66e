"""factory_boy factories for the core models. Apps keep their own in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Membership, Organisation, Role, Union, User
from registers.models import AlgorithmicSystem

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"body-{n}")
    name = factory.Sequence(lambda n: f"Body {n} Council")
    name_cy = factory.Sequence(lambda n: f"Cyngor Corff {n}")
    kind = Organisation.Kind.LOCAL_AUTHORITY


class UnionFactory(DjangoModelFactory):
    class Meta:
        model = Union
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"union-{n}")
    name = factory.Sequence(lambda n: f"Union {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.HR_OFFICER
    union = factory.Maybe(
        factory.LazyAttribute(lambda m: m.role == Role.UNION_REP),
        yes_declaration=factory.SubFactory(UnionFactory),
        no_declaration=None,
    )


class SystemFactory(DjangoModelFactory):
    class Meta:
        model = AlgorithmicSystem

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"System {n}")
    reference = factory.Sequence(lambda n: f"system-{n}")
    one_sentence_description = "Proposes rotas for care workers."
    description = "Software that proposes weekly rotas."
    contact_email = "team@example.org"
