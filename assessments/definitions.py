"""Which definition describes each kind of assessment (the AIA is described by its questionnaire)."""

from __future__ import annotations

from .choices import Kind
from .schema import Definition


def definition_for(kind: str) -> Definition | None:
    if kind == Kind.DPIA:
        from .dpia import DEFINITION

        return DEFINITION
    if kind == Kind.EQIA:
        from .eqia import DEFINITION

        return DEFINITION
    return None
