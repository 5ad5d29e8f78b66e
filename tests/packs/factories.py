"""Factories of the pack tests."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import PartnershipCouncil


class PartnershipCouncilFactory(DjangoModelFactory):
    class Meta:
        model = PartnershipCouncil
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"council-{n}")
    name = factory.Sequence(lambda n: f"Partnership Council {n}")
    name_cy = factory.Sequence(lambda n: f"Cyngor Partneriaeth {n}")
