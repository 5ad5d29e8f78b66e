"""API serializers, one module per area (``systems``, ``atrs``, later ``assessments``, …).

Shared building blocks are in ``common``.
"""
