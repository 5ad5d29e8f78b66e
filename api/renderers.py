"""CSV for list downloads: RFC 4180, UTF-8 with a byte-order mark (so spreadsheet programs read
Welsh letters such as ŵ and ŷ correctly), and cells that a spreadsheet would run as a formula
neutralised with a leading apostrophe."""

import csv
import io

from rest_framework.renderers import BaseRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def rows_to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    """``rows`` (dicts) as CSV text with a header row; ``columns`` fixes their order."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(name)) for name in columns])
    return out.getvalue()


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):  # an error body
            data = [data]
        columns = None
        view = (renderer_context or {}).get("view")
        if view is not None and hasattr(view, "export_columns"):
            response = renderer_context.get("response")
            if response is None or response.status_code < 400:
                columns = view.export_columns()
        return ("\ufeff" + rows_to_csv(list(data or []), columns)).encode("utf-8")
