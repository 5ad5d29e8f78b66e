"""Files people download (evidence, audit packs): always as an attachment, never sniffed or run
as a page, and never kept by a shared cache."""

from django.http import FileResponse


def file_download(handle, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
