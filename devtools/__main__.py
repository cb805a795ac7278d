"""`python -m devtools demo|screenshots` (what `./haoban demo` and `./haoban screenshots` run)."""
from __future__ import annotations

import argparse
import sys

from server import settings as hub_settings


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="haoban", description="Haoban (好办) development tools")
    p.add_argument("--config", help="TOML settings file (section [hub])")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="a simulated hall day through the real hub's HTTP API")
    d.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second (default 60)")
    d.add_argument("--until", default="17:00", help="end of the simulated day, HH:MM (default 17:00)")
    d.add_argument("--port", type=int, default=8300)
    d.add_argument("--seed", type=int, default=2023)
    x = sub.add_parser("screenshots", help="render every kiosk, terminal and rating screen (both languages) and the web pages to PNG")
    x.add_argument("folder", nargs="?", default="screenshots")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo":
        from devtools import demo

        try:
            settings = hub_settings.load(args.config)
        except hub_settings.SettingsInvalid as exc:
            print(f"错误 / Error: {exc}", file=sys.stderr)
            return 2
        return demo.run(settings, speed=args.speed, until=args.until, port=args.port, seed=args.seed)
    from devtools.screenshots import kiosk, terminal, web

    return kiosk.main([args.folder]) or terminal.main([args.folder]) or web.main([args.folder])


if __name__ == "__main__":
    sys.exit(main())
