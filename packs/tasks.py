"""Celery tasks of audit packs. Thin: the work and its guarantees are in ``services``."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="packs.render_pack",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    soft_time_limit=settings.PACKS_SOFT_TIME_LIMIT,
    time_limit=settings.PACKS_TIME_LIMIT,
)
def render_pack(pack_id: str) -> str:
    """Produce one pack. Safe to run twice, in parallel or after a crash (see services)."""
    return services.build_pack(pack_id)


@shared_task(name="packs.sweep", ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_packs() -> dict:
    """Re-queue packs whose worker died and re-send packs the broker never delivered."""
    result = services.sweep()
    return result.__dict__
