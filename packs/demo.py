"""Demo: a pack of the home-care rota planner, asked for by the partnership-council auditor.

Produced after ``load_demo`` commits (in-process without a broker, else by the workers);
running ``load_demo`` again reuses it while the record is unchanged.
"""

from . import services
from .models import PackScope


def build(demo: dict) -> None:
    system = demo.get("systems", {}).get("home-care-rota-planner")
    auditor = demo.get("users", {}).get(("wpc", "auditor"))
    if system is None or auditor is None:
        return
    services.request_pack(actor=auditor, scope=PackScope.SYSTEM, system=system, language="en")
