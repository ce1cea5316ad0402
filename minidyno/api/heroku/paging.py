"""Heroku's list paging: `Range: name ..; max=200, order=desc` asks for a page sorted by
a field; an answer that leaves some out is a 206 with `Next-Range: name ]<last>..; …`,
which the CLI sends back as the next `Range` until an answer has no `Next-Range`.

The default page is 200 (Heroku's own default; 1000 at most).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from minidyno.errors import UserError

DEFAULT_MAX = 200
MOST = 1000
_RANGE = re.compile(
    r"^(?P<field>\w+)\s+(?P<exclusive>\]?)(?P<start>[^;]*?)\.\.(?P<end>[^;]*)(?:;(?P<options>.*))?$"
)


@dataclass(frozen=True)
class Range:
    field: str
    start: str = ""
    exclusive: bool = False
    end: str = ""
    most: int = DEFAULT_MAX
    descending: bool = False


def parse(header: str, default_field: str) -> Range:
    header = header.strip()
    if not header:
        return Range(default_field)
    found = _RANGE.match(header)
    if not found:
        raise UserError(f"Range {header!r} is not `<field> [start]..[end][; max=N, order=asc|desc]`")
    most, descending = DEFAULT_MAX, False
    for option in re.split(r"[,;]", found["options"] or ""):
        key, _, value = (part.strip() for part in option.partition("="))
        if key == "max" and value.isdigit():
            most = min(MOST, max(1, int(value)))
        elif key == "order":
            descending = value == "desc"
    return Range(
        found["field"],
        found["start"].strip(),
        bool(found["exclusive"]),
        found["end"].strip(),
        most,
        descending,
    )


def page(request: Request, items: list[dict[str, Any]], default_field: str = "id") -> JSONResponse:
    """`items` as the `Range` header asks, with `Content-Range` and, when more follow,
    a 206 and `Next-Range`."""
    asked = parse(request.headers.get("range", ""), default_field)
    field = asked.field
    if items and field not in items[0]:
        raise UserError(f"Range: these cannot be sorted by {field!r}")
    ordered = sorted(items, key=lambda item: item[field], reverse=asked.descending)
    numeric = bool(items) and isinstance(items[0][field], int)

    def bound(text: str) -> Any:
        return int(text) if numeric and text.isdigit() else text

    if asked.start:
        start = bound(asked.start)
        ordered = [
            i
            for i in ordered
            if (i[field] < start if asked.descending else i[field] > start)
            or (i[field] == start and not asked.exclusive)
        ]
    if asked.end:
        end = bound(asked.end)
        ordered = [i for i in ordered if (i[field] >= end if asked.descending else i[field] <= end)]
    shown = ordered[: asked.most]
    headers = {}
    if shown:
        headers["Content-Range"] = f"{field} {shown[0][field]}..{shown[-1][field]}"
    if len(ordered) > asked.most:
        order = ", order=desc" if asked.descending else ""
        headers["Next-Range"] = f"{field} ]{shown[-1][field]}..; max={asked.most}{order}"
    return JSONResponse(shown, status_code=206 if "Next-Range" in headers else 200, headers=headers)
