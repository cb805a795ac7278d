"""The hub's command line (`haoban`): serve, migrate, check the projection, administer reference data, link hubs."""
from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy.exc import IntegrityError

from common.db.engine import make_engine, migrate
from common.domain import contact
from common.domain import errors as e
from common.domain.clock import business_day, parse_clock
from common.domain.files import private_folder
from common.domain.model import Role
from common.readmodels import peers
from common.usecases import appointments, auth, check, reference
from server import cli_files as files
from server import settings as settings_mod


def _engine(settings):
    private_folder(settings.data_path)
    engine = make_engine(settings.db_url)
    migrate(engine)
    return engine


def app_from_env():
    """uvicorn factory for `serve` with several workers: each process builds its hub from the settings."""
    from common.usecases.hub import Hub
    from server import logs
    from server.app import create_app
    from server.limits import Limits

    settings = settings_mod.load()
    logs.setup(settings.log_level, settings.log_file)  # in each worker process too
    engine = make_engine(settings.db_url)
    key = appointments.hub_key(settings.data_path)
    sealing, box = contact.contact_key(settings.data_path), contact.box_key(settings.data_path)
    bounds = Limits(max_streams=settings.max_streams, max_streams_per_address=settings.max_streams_per_address)
    if not settings.upstream:
        app = create_app(Hub(engine, parse_clock(settings.clock), id_key=key, contact_key=sealing, box_key=box), bounds=bounds)
    else:
        from common.domain.clock import OffsetClock
        from common.usecases.upstream import UpstreamLink

        clock = OffsetClock(parse_clock(settings.clock))
        app = create_app(Hub(engine, clock, id_key=key, contact_key=sealing, box_key=box),
                         upstream=UpstreamLink(engine, clock, settings.upstream), bounds=bounds)
    app.state.hub_ice_servers = settings.ice_servers  # 视频帮办's ICE servers (docs/remote.md)
    return app


def uvicorn_options(settings) -> dict:
    """How `serve` runs uvicorn: the concurrency limit, the trusted proxies, and the access log (off by default;
    when on, tokens in addresses are masked and queries dropped: server/accesslog.py)."""
    from server import accesslog

    accesslog.install()
    return {"host": settings.host, "port": settings.port, "limit_concurrency": settings.limit_concurrency,
            "forwarded_allow_ips": settings.forwarded_allow_ips, "proxy_headers": True,
            "access_log": settings.access_log}


def cmd_serve(args, settings) -> int:
    import uvicorn

    from server import logs

    logs.setup(settings.log_level, settings.log_file)
    engine = _engine(settings)
    workers = args.workers or settings.workers
    if workers > 1 and engine.dialect.name == "sqlite":
        raise e.InvalidInput("sqlite_one_process")
    if settings.upstream:
        from common.usecases.upstream import UpstreamLink

        if workers > 1:
            raise e.InvalidInput("upstream_one_worker")
        UpstreamLink(engine)  # refuses clearly if this hub was never enrolled upstream
    engine.dispose()
    print(f"Haoban hub on http://{settings.host}:{settings.port}  (database: {engine.url.render_as_string()}, "
          f"{workers} worker{'s' if workers > 1 else ''})", flush=True)
    uvicorn.run("server.cli:app_from_env", factory=True, workers=workers, log_level=settings.log_level,
                log_config=None, **uvicorn_options(settings))  # log_config None: uvicorn's lines go through ours
    return 0


def cmd_migrate(args, settings) -> int:
    _engine(settings)
    print("schema up to date")
    return 0


def cmd_check(args, settings) -> int:
    engine = _engine(settings)
    diffs = check.differences(engine)
    for d in diffs[:50]:
        print(d)
    print("projection OK: stored state equals the fold of the events" if not diffs else f"{len(diffs)} differences")
    differ = False
    for copy in check.copies(engine):  # a district: its copy of each child hub's site against the child's report
        for line in copy.lines[:50]:
            print(line)
        print(f"copy of site {copy.site_id} (child hub {copy.peer_id}): {COPY_STATES[copy.state]}")
        differ = differ or copy.state == "differs"
    return 0 if not diffs and not differ else 1


COPY_STATES = {
    "same": "OK, equal to what its hub reported",
    "differs": "DIFFERS from what its hub reported",
    "catching up": "not compared yet: its hub's last push is not complete here",
    "no report": "not compared: its hub has sent no report yet",
}


def cmd_backup(args, settings) -> int:
    from datetime import datetime

    from server import backup

    try:
        now = datetime.fromisoformat(args.now) if args.now else parse_clock(settings.clock).now()
    except ValueError:
        raise e.InvalidInput("invalid_input") from None
    path, manifest = backup.backup(settings, args.dest, now, os.environ.get("HAOBAN_CONFIG"))
    print(f"backup written: {path} ({path.stat().st_size} bytes; revision {manifest['schema_revision']}; "
          f"sites {', '.join(manifest['site_ids']) or '-'}; {manifest['counts']['events']} events)")
    for key in manifest["missing_keys"]:
        print(f"注意：数据文件夹中没有 {key}，备份中也没有 / note: {key} is not in the data folder, nor in the backup")
    return 0


def cmd_restore(args, settings) -> int:
    from server import backup

    manifest = backup.restore(settings, args.src, force=args.force)
    print(f"restored the backup of {manifest['made_at']} (revision {manifest['schema_revision']} -> migrated to the "
          f"latest; sites {', '.join(manifest['site_ids']) or '-'}; {manifest['counts']['events']} events) "
          f"into {settings.data_path}")
    if backup.SETTINGS_MEMBER in manifest["members"]:
        print(f"the backed-up settings are in {settings.data_path / backup.RESTORED_SETTINGS} (the settings in use are unchanged)")
    return 0


def cmd_admin(args, settings) -> int:
    engine = _engine(settings)
    now = parse_clock(settings.clock).now()  # the hub's clock: HAOBAN_CLOCK=sim:<ISO start>:<speed> sets the day

    with engine.begin() as conn:
        match args.what:
            case "create-site":
                out = reference.create_site(conn, id=args.id, name=args.name, level=args.level,
                                            parent_id=args.parent, address=args.address)
            case "create-queue":
                out = reference.create_queue(conn, site_id=args.site, letter=args.letter, name=args.name,
                                             name_en=args.name_en)
            case "create-window":
                queues = [f"{args.site}-{q}" for q in args.queues.split(",") if q]
                out = reference.create_window(conn, site_id=args.site, number=args.number, name=args.name,
                                              kind=args.kind, queue_ids=queues)
            case "create-item":
                out = reference.create_item(conn, site_id=args.site, code=args.code, name=args.name,
                                            department=args.department, category=args.category,
                                            complexity=args.complexity, standard_minutes=args.minutes,
                                            queue_id=f"{args.site}-{args.queue}", name_en=args.name_en,
                                            department_en=args.department_en)
            case "create-clerk":
                pin = sys.stdin.readline().strip() if args.pin_stdin else getpass.getpass("PIN: ")
                role = "supervisor" if args.supervisor else "handler" if args.department else "clerk"
                out = reference.create_clerk(conn, site_id=args.site, staff_no=args.staff_no, name=args.name, pin=pin,
                                             role=role, department=args.department)
            case "enrol-code":
                out = auth.create_enrolment_code(conn, site_id=args.site, role=Role(args.role), name=args.name,
                                                 now=now, window_id=args.window)
            case "revoke-device":
                out = auth.revoke_device(conn, args.device, now)
            case "list-devices":
                out = render_devices(auth.list_devices(conn, args.site))
            case "set-notice":
                out = reference.set_notice(conn, site_id=args.site, text=args.text)
            case "load-demo":
                out = ", ".join(reference.load_demo(conn)) or "(already loaded)"
                appointments.load_demo(conn, appointments.hub_key(settings.data_path), now)
            case "import-appointments":
                out = files.import_appointments(conn, args, settings, now)
            case "set-calendar":
                out = files.set_calendar(conn, args, now)
            case "import-guides":
                out = files.import_guides(conn, args, now)
            case "export-guides":
                out = files.export_guides(conn, args)
            case "guide-flags":
                out = files.guide_flags(conn, args, now)
    print(out)
    return 0


def cmd_hub(args, settings) -> int:

    from common.usecases import upstream

    engine = _engine(settings)
    if args.what == "enrol":
        answer = upstream.enrol(engine, args.upstream, args.code)
        print(f"enrolled at {args.upstream} as a hub of site {answer['site_id']}; reference data fetched")
    else:
        print(render_peers(engine))
        print(render_calendar(engine, business_day(parse_clock(settings.clock).now())))
    return 0


def cmd_setup(args, settings) -> int:
    """One step for a machine (common/usecases/setup.py): a village laptop (enrol its hub upstream, fetch reference
    data, write hub.toml, kiosk.toml and terminal.toml) or, with --station, a single kiosk or counter PC joining a hub."""
    from pathlib import Path

    from common.usecases import setup

    folder = Path(args.config_dir) if args.config_dir else settings.data_path
    plan = setup.Plan(hub_url=args.hub, code=args.code, config_dir=folder, data_dir=settings.data_path,
                      printer=args.printer, scanner=args.scanner, id_reader=args.id_reader, rating=args.rating_screen)
    if args.station:
        answer = setup.station(plan, Role(args.station))
    else:
        answer = setup.village(_engine(settings), plan, parse_clock(settings.clock).now())
    again = "（已登记过，仅更新基础数据）/ (enrolled before: reference data refreshed)" if answer["again"] else ""
    print(f"设置完成，可以使用 / ready: site {answer['site_id']}, settings {', '.join(answer['files'])} {again}".rstrip())
    return 0


def cmd_doctor(args, settings) -> int:
    """Each check of this machine (server/doctor.py); exit code 1 when any failed."""
    import tomllib
    from pathlib import Path

    from common.domain.clock import SystemClock
    from server import doctor

    kiosk = None
    if args.kiosk:
        try:
            kiosk = doctor.kiosk_section(args.kiosk)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise e.InvalidInput("settings_unreadable", reason=type(exc).__name__) from None
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    hub_url = args.hub or (kiosk or {}).get("hub_url") or f"http://{host}:{settings.port}"
    data = Path(str(kiosk["store"])).parent if kiosk and kiosk.get("store") else settings.data_path
    checks = doctor.run(hub_url=str(hub_url), data_dir=data, kiosk=kiosk, clock=SystemClock())
    print(doctor.render(checks, devices_checked=kiosk is not None))
    return 1 if any(c.state == "fail" for c in checks) else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="haoban", description="Haoban (好办) hub")
    p.add_argument("--config", help="TOML settings file (section [hub])")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the hub")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--log-level", choices=settings_mod.LOG_LEVELS, help="default: the settings' log_level (warning)")
    s.add_argument("--log-file", help="JSON lines to this file, rotated at 10 MB, five kept (default: stderr, the "
                                      "journal under systemd)")
    s.add_argument("--workers", type=int, help="hub processes (PostgreSQL only)")
    s.add_argument("--upstream", help="URL of the upstream hub (enrol first: haoban hub enrol)")
    s.set_defaults(fn=cmd_serve)
    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(fn=cmd_migrate)
    sub.add_parser("check", help="check that the stored projection equals the fold of the events").set_defaults(fn=cmd_check)

    b = sub.add_parser("backup", help="the database, the key files and the settings in one .tar.gz (safe while the hub runs)")
    b.add_argument("dest", help="the archive to write, or a folder to write haoban-backup-<time>.tar.gz in")
    b.add_argument("--now", help="ISO time written in the manifest (default: the hub's clock)")
    b.set_defaults(fn=cmd_backup)
    r = sub.add_parser("restore", help="a backup into the configured data folder and database, checked first, then migrated")
    r.add_argument("src", help="the .tar.gz written by haoban backup")
    r.add_argument("--force", action="store_true", help="overwrite a data folder or database that is not empty")
    r.set_defaults(fn=cmd_restore)

    d = sub.add_parser("doctor", help="check this machine: printer, scanner, ID-card reader, sound, the hub, clock, disk, "
                                      "certificate; each fix in Chinese and English (exit code 1 on a failure)")
    d.add_argument("--kiosk", help="a kiosk's settings file (kiosk.toml): its devices, hub_url and store are checked")
    d.add_argument("--hub", help="the hub's address (default: the kiosk's hub_url, else this hub's own)")
    d.set_defaults(fn=cmd_doctor)

    x = sub.add_parser("setup", help="a village laptop in one step (enrol at the district hub, fetch reference data, "
                                     "write the settings), or a single kiosk or counter PC joining a hub (--station)")
    x.add_argument("--hub", required=True, help="the district hub's address")
    x.add_argument("--code", required=True, help="the one-time enrolment code (role hub; with --station, the station's role)")
    x.add_argument("--config-dir", help="where the settings files are written (default: the data folder)")
    x.add_argument("--station", choices=("kiosk", "terminal"), help="a single kiosk or counter PC joining the hub "
                                                                   "(a code for that role); default: a village laptop")
    x.add_argument("--printer", default="dummy", help="the kiosk's printer (usb:VID:PID, serial:/dev/ttyUSB0, "
                                                      "network:HOST, file:/dev/usb/lp0; default dummy, the simulator)")
    x.add_argument("--scanner", default="wedge", help="wedge | camera:N | none")
    x.add_argument("--id-reader", default="none", help="the kiosk's ID-card reader: sdt:LIBRARY:PORT | "
                                                        "cvr:LIBRARY:PORT | simulated | none (default)")
    x.add_argument("--rating-screen", action="store_true", help="a village laptop: its terminal starts the citizen's "
                                                                "rating screen on a second monitor (default: none)")
    x.set_defaults(fn=cmd_setup)

    h = sub.add_parser("hub", help="this hub's links: enrol upstream, status of every peer")
    hsub = h.add_subparsers(dest="what", required=True)
    x = hsub.add_parser("enrol", help="enrol this hub at its upstream hub with a one-time code (role hub)")
    x.add_argument("--upstream", required=True)
    x.add_argument("--code", required=True)
    hsub.add_parser("status", help="each child's last contact (true to within 30 s), backlog and cursor; this hub's upstream link")
    h.set_defaults(fn=cmd_hub)

    a = sub.add_parser("admin", help="reference data and device enrolment")
    asub = a.add_subparsers(dest="what", required=True)
    x = asub.add_parser("create-site")
    x.add_argument("--id", required=True)
    x.add_argument("--name", required=True)
    x.add_argument("--level", required=True, choices=["district", "subcentre", "community", "village"])
    x.add_argument("--parent")
    x.add_argument("--address")
    x = asub.add_parser("create-queue")
    for f in ("--site", "--letter", "--name"):
        x.add_argument(f, required=True)
    x.add_argument("--name-en", help="the hall's own English name (English screens; otherwise i18n/names.json)")
    x = asub.add_parser("create-window")
    x.add_argument("--site", required=True)
    x.add_argument("--number", type=int, required=True)
    x.add_argument("--name", required=True)
    x.add_argument("--kind", default="general", choices=["general", "dedicated", "cases"])
    x.add_argument("--queues", default="", help="queue letters, comma-separated, in calling preference")
    x = asub.add_parser("create-item")
    for f in ("--site", "--code", "--name", "--department", "--queue"):
        x.add_argument(f, required=True)
    x.add_argument("--category", default="personal", choices=["personal", "enterprise"])
    x.add_argument("--complexity", default="general", choices=["general", "complex"])
    x.add_argument("--minutes", type=int, default=10)
    x.add_argument("--name-en", help="the item's English name")
    x.add_argument("--department-en", help="the hall's own English name of its department")
    x = asub.add_parser("create-clerk")
    for f in ("--site", "--staff-no", "--name"):
        x.add_argument(f, required=True)
    x.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    x.add_argument("--supervisor", action="store_true", help="a supervisor: signs in to the dashboard, serves no window")
    x.add_argument("--department", help="a department's handler (承办单位, as cases are assigned to it): signs in to "
                                        "/handler for its cases, serves no window")
    x = asub.add_parser("enrol-code", help="a one-time code for a device to enrol with")
    x.add_argument("--site", required=True)
    x.add_argument("--role", required=True, choices=[r.value for r in Role])
    x.add_argument("--name", required=True)
    x.add_argument("--window", help="window id, for terminals and rating pads")
    x = asub.add_parser("revoke-device", help="refuse a device's token from now on, on every hub process at once")
    x.add_argument("--device", required=True, help="the device id (see list-devices)")
    x = asub.add_parser("list-devices", help="every enrolled device: id, site, role, name, window, enrolled, revoked")
    x.add_argument("--site", help="only the devices of this site")
    x = asub.add_parser("set-notice", help="the notice line of the hall display board")
    x.add_argument("--site", required=True)
    x.add_argument("--text", required=True, help='e.g. "今日下午二时起社保窗口暂停办理，请谅解"; "" for the default')
    asub.add_parser("load-demo", help="load the demo sites (and a few appointments for today)")
    x = asub.add_parser("set-calendar", help="the district's own working days and days off (JSON list of {day, working})")
    x.add_argument("file")
    x = asub.add_parser("import-appointments", help="the day's bookings from a CSV file: " + ",".join(appointments.COLUMNS))
    x.add_argument("--site", required=True)
    x.add_argument("file")
    x = asub.add_parser("import-guides", help="publish guides (办事指南) from a JSON or .xlsx file, all or none")
    x.add_argument("--by", required=True, help="who publishes them (kept with each version)")
    x.add_argument("file")
    x = asub.add_parser("export-guides", help="the newest version of every guide to a JSON or .xlsx file")
    x.add_argument("file")
    x = asub.add_parser("guide-flags", help="refusals whose clerk said the guide (办事指南) was wrong, newest first")
    x.add_argument("--days", type=int, default=90, help="how far back (1-366 days; 90)")
    a.set_defaults(fn=cmd_admin)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for key in ("host", "port", "upstream", "log_level", "log_file"):  # command-line values win; the factory of `serve` reads them from the environment
        if (value := getattr(args, key, None)) is not None:
            os.environ[f"HAOBAN_{key.upper()}"] = str(value)
    if args.config:
        os.environ["HAOBAN_CONFIG"] = args.config
    try:
        return args.fn(args, settings_mod.load())  # a settings error is reported as any other (exit code 2)
    except IntegrityError:
        exc = e.Conflict("record_exists")
    except e.HaobanError as refused:
        exc = refused
    print(f"错误：{exc.zh}\nError: {exc.en}", file=sys.stderr)
    return 2


def render_devices(devices: list[dict]) -> str:
    """`haoban admin list-devices` as text, one device a line."""
    lines = [f"{'id':<36} {'site':<16} {'role':<14} {'name':<16} {'window':<20} {'enrolled':<25} revoked"]
    lines += [f"{d['id']:<36} {d['site'][:16]:<16} {d['role']:<14} {d['name'][:16]:<16} {(d['window'] or '-')[:20]:<20} "
              f"{d['enrolled']:<25} {d['revoked'] or '-'}" for d in devices]
    return "\n".join(lines) if devices else "(no device enrolled)"


def render_peers(engine) -> str:
    """`haoban hub status` as text."""
    children, link = peers.rows(engine)
    copies = {c.peer_id: c.state for c in check.copies(engine)}
    out = []
    if link:
        out.append(f"upstream {link['url']}  site {link['site']}  last contact {link['last_contact']}  "
                   f"uploaded up to #{link['acked']}  backlog {link['backlog']}  set aside {link['set_aside']}  "
                   f"case steps pulled up to #{link['cases_pulled']} (set aside {link['cases_set_aside']})  "
                   f"reference {link['reference_version']}")
        for step, error in sorted(link["errors"].items()):  # the last round's failures, by step (see upstream.sync_once)
            out.append(f"  upstream {step} failed: {error['error']} {error.get('message_en', '')}".rstrip())
    else:
        out.append("no upstream: this hub is the central one")
    out.append(f"{'peer':<24} {'site':<16} {'role':<9} {'last contact':<26} {'pushed':>7} {'pulled':>7} {'to pull':>8}"
               "  copy")
    for c in children:  # a child hub pulls reference data, not events: no "pulled" or "to pull" for it
        pulled, to_pull = ("-", "-") if c["to_pull"] is None else (c["pulled_up_to"], c["to_pull"])
        out.append(f"{c['name'][:24]:<24} {c['site'][:16]:<16} {c['role']:<9} {c['last_contact']:<26} "
                   f"{c['pushed_up_to']:>7} {pulled:>7} {to_pull:>8}  {copies.get(c['peer_id'], '')}".rstrip())
    if not children:
        out.append("(no device or hub has synced yet)")
    return "\n".join(out)


def render_calendar(engine, today) -> str:
    """`hub status`'s line on the working-day calendar that case deadlines count in."""
    from common.db import caserows
    from common.db.engine import reader
    from common.domain import workdays

    with reader(engine) as conn:
        calendar = caserows.calendar(conn)
    missing = workdays.years_to_enter(calendar, today)
    if not missing:
        return f"working-day calendar: known for {today.year} and {today.year + 1} ({len(calendar.overrides)} days of the district's own)"
    return (f"working-day calendar: {', '.join(map(str, missing))} not known (case deadlines there count Monday to "
            "Friday only): enter that year's holidays and 调休 days with `haoban admin set-calendar FILE.json`")


if __name__ == "__main__":
    sys.exit(main())
