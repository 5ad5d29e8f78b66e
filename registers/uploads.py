"""The evidence size limit, enforced while the upload is received.

Django stores an upload (in memory, then in a temporary file) before any view or form sees it,
so a form's size check comes only after the whole file has been written to disk.
``SizeLimitUploadHandler`` sits first among the request's upload handlers and passes on at most
``limit`` bytes of a file: at the chunk that would go past the limit it raises ``SkipFile``, so
Django drops what was stored of that file, discards the rest of it unread by anyone, and goes on
to the form's other fields (which are kept, so the form can be shown again with what the person
typed). A request whose ``Content-Length`` already says the file cannot fit is refused before a
single byte of the file is stored.

A view installs it with ``limit_upload_size(request, limit)`` before ``request.POST`` or
``request.FILES`` is read, which means it must be ``csrf_exempt`` and check CSRF itself
(``csrf_protect``) once the handler is in place, as Django documents for changing upload
handlers. ``handler.refused`` then says whether a file was too large; the message for the form
is ``too_large_message(limit)``.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

# Room in a request for everything but the file: the multipart framing and the form's other
# fields (the evidence form has a title of up to 200 characters and the CSRF token).
FORM_OVERHEAD_BYTES = 64 * 1024


def too_large_message(limit: int) -> str:
    # The same words as registers.evidence.check_upload's size check.
    return _("The selected file must be smaller than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}


class SizeLimitUploadHandler(FileUploadHandler):
    """Passes each file's chunks on to the next handlers until the file would exceed ``limit``
    bytes; then refuses the file (``SkipFile``) and every later file of the request."""

    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.refused = False
        self.received = 0  # bytes of the current file passed on to the next handlers

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + FORM_OVERHEAD_BYTES:
            self.refused = True  # the file cannot fit: refuse it as soon as it starts
        return None  # Django parses the request as usual

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.received = 0
        if self.refused or (content_length is not None and content_length > self.limit):
            self.refused = True
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        if self.received + len(raw_data) > self.limit:
            self.refused = True
            raise SkipFile
        self.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


def limit_upload_size(request, limit: int) -> SizeLimitUploadHandler:
    """Put a ``SizeLimitUploadHandler`` first for this request (before its body is read)."""
    handler = SizeLimitUploadHandler(limit, request)
    # Assigning (not inserting) makes Django refuse if the body has been read already.
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler
