"""The hub's command line, the admin commands that read or write a file (`haoban admin import-appointments`,
`set-calendar`, `import-guides`, `export-guides`) or print a listing (`guide-flags`): server/cli.py calls them
inside its transaction."""
from __future__ import annotations

import json

from common.domain import errors as e
from common.domain.clock import business_day
from common.usecases import appointments, reference


def import_appointments(conn, args, settings, now) -> str:
    """The day's bookings from the booking system's CSV export (UTF-8, with a header line; see
    common.usecases.appointments.COLUMNS); all rows or none."""
    import csv

    try:
        with open(args.file, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise e.InvalidInput("csv_unreadable", reason=exc) from None
    missing = [c for c in appointments.COLUMNS if rows and c not in rows[0]]
    if missing:
        raise e.InvalidInput("csv_columns", missing=", ".join(missing))
    counts = appointments.import_rows(conn, args.site, rows, appointments.hub_key(settings.data_path), now)
    return "added {added}, updated {updated}, unchanged (checked in) {unchanged}".format(**counts)


def set_calendar(conn, args, now) -> str:
    """The district's own working-day entries from a JSON file: [{"day": "2027-02-06", "working": false}, ...] (a
    new year's holidays and 调休 days before the calendar library knows them, or a local day off). They flow down to
    child hubs with the reference data."""
    from common.db import caserows
    from common.domain import workdays

    try:
        with open(args.file, encoding="utf-8") as f:
            days = workdays.overrides_from_wire(json.load(f))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise e.InvalidInput("calendar_unreadable", reason=type(exc).__name__) from None
    except ValueError as exc:
        raise e.InvalidInput("calendar_entry", field=str(exc)[:80]) from None
    caserows.set_calendar_days(conn, days)
    missing = workdays.years_to_enter(caserows.calendar(conn), business_day(now))
    gaps = f"; still to enter: {', '.join(map(str, missing))}" if missing else ""
    return f"{len(days)} calendar days set{gaps}"


def import_guides(conn, args, now) -> str:
    """Guides from a JSON file (haoban.guides/1) or a workbook (.xlsx, 事项库 layout), all or none, each changed guide
    published as its item's next version by `--by` (docs/guides.md)."""
    from common.guides import files, xlsx

    try:
        with open(args.file, "rb") as f:
            data = f.read(files.FILE_MAX + 1)
    except OSError as exc:
        raise e.InvalidInput("guide_unreadable", reason=type(exc).__name__) from None
    guides = xlsx.from_xlsx(data) if args.file.lower().endswith(".xlsx") else files.load(data)
    added = reference.publish_guides(conn, guides, args.by, now)
    listed = ", ".join(f"{code} v{v}" for code, v in added) or "none changed"
    return f"{len(guides)} guides read, {len(added)} published: {listed}"


def export_guides(conn, args) -> str:
    """The newest version of every guide, as JSON or (.xlsx) a workbook in the 事项库 layout."""
    from common.db import guiderows
    from common.domain.guide import Guide
    from common.guides import files, xlsx

    guides = [Guide.model_validate(b) for b in guiderows.newest(conn)]
    data = xlsx.to_xlsx(guides) if args.file.lower().endswith(".xlsx") else files.dump(guides).encode()
    with open(args.file, "wb") as f:
        f.write(data)
    return f"{len(guides)} guides written to {args.file}"


def guide_flags(conn, args, now) -> str:
    """The refusals of the last DAYS days whose clerk said the guide misled the citizen, newest first."""
    from common.domain.clock import SHANGHAI
    from common.readmodels.guideflags import at_hub

    if not 1 <= args.days <= 366:
        raise e.InvalidInput("guide_flag_days")
    found = at_hub(conn, now, args.days)
    lines = [f"{f['at'].astimezone(SHANGHAI):%Y-%m-%d %H:%M} {f['item_code']} {f['item_name']} 第{f['guide_version'] or '—'}版 "
             f"{f['site_id']} {f['window']}号窗口：{f['reason']}" for f in found]
    return "\n".join(lines + [f"{len(found)} flagged refusals in {args.days} days"])
