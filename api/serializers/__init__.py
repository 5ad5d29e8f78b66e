"""API serializers, one module per area: ``systems``, ``atrs``, ``assessments`` (with risks and
actions), ``consultations`` (with comments, concerns and rights requests), ``oversight``
(sign-offs) and ``packs``.

Shared building blocks and the documented error bodies are in ``common``.
"""
