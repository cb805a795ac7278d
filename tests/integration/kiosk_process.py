"""A kiosk as its own process, for the kill -9 test: issue N tickets from leased numbers, report cases online and
register cases offline (the kiosk's 办不成事 flow with the hub away), sync until everything is acknowledged. Restarted on
the same store file, it goes on where it was."""
from __future__ import annotations

import argparse
import sys
import time

from common.domain.errors import HaobanError
from common.domain.ids import uuid7
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport, HubUnreachable


def made(store: LocalStore) -> int:
    with store.engine.connect() as conn:  # every outbox position ever given = every ticket made
        return conn.exec_driver_sql("select coalesce(max(seq), 0) from sqlite_sequence where name = 'outbox'").scalar()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--code")
    ap.add_argument("--store", required=True)
    ap.add_argument("--tickets", type=int, required=True)
    ap.add_argument("--cases", type=int, default=0, help="also report this many 办不成事 cases online, one per ticket")
    ap.add_argument("--offline-cases", type=int, default=0, help="and register this many on the kiosk, with a phone")
    args = ap.parse_args()
    store = LocalStore(args.store)
    me = store.get("me")
    while me is None:
        try:
            me = HttpTransport(args.url, "").call("POST", "/enrol", json={"code": args.code})
            store.put("me", me)
        except HubUnreachable:
            time.sleep(0.2)
    client = SyncClient(store, HttpTransport(args.url, me["token"], timeout=15), device_id=me["device_id"],
                        site_id=me["site_id"], lease_size=5)
    while True:
        reference = store.get("reference")
        if reference and made(store) < args.tickets:
            queue = reference["tables"]["queues"][0]
            item = next(i for i in reference["tables"]["service_items"] if i["queue_id"] == queue["id"])
            try:
                client.issue_offline(item, queue)
            except HaobanError:
                pass  # no numbers left: the next sync leases more
        try:
            client.sync_once()
        except HaobanError:
            time.sleep(0.1)
        reported = report_case(store, client.transport, args.cases)
        # after the tickets: each case takes an outbox position too, which `made` counts as tickets made
        kept = register_case(store, client, args.offline_cases) if made(store) >= args.tickets else 0
        if made(store) >= args.tickets and store.backlog() == 0 and reported >= args.cases and kept >= args.offline_cases:
            print("DONE", flush=True)
            return 0


def report_case(store: LocalStore, transport: HttpTransport, cases: int) -> int:
    """Report the next case online, as the kiosk's 办不成事 button does: its id is made and kept first, so a retry
    after a kill or a lost answer sends the same id and the hub opens no second case. Returns how many are done."""
    done = store.get("cases_done") or 0
    if done >= cases:
        return done
    case_id = store.get(f"case:{done}")
    if case_id is None:
        case_id = uuid7()
        store.put(f"case:{done}", case_id)
    try:
        transport.call("POST", "/cases", json={"source": "kiosk", "cause": "materials", "case_id": case_id})
    except (HubUnreachable, HaobanError):
        return done
    store.put("cases_done", done + 1)
    return done + 1


def register_case(store: LocalStore, client: SyncClient, cases: int) -> int:
    """Register the next case on the kiosk (`SyncClient.open_case_offline`), once the hub's public key has come with
    the reference data: its id is made and kept first, so that a kill between the case and the count registers it
    again with the same id, which the hub holds as one case (the second `case_opened` is void)."""
    done = store.get("offline_cases_done") or 0
    if done >= cases or not store.tables().get("case_box"):
        return done
    case_id = store.get(f"offline_case:{done}")
    if case_id is None:
        case_id = uuid7()
        store.put(f"offline_case:{done}", case_id)
    client.open_case_offline(source="kiosk", cause="system", phone=PHONE, case_id=case_id)
    store.put("offline_cases_done", done + 1)
    return done + 1


PHONE = "13812345678"


if __name__ == "__main__":
    sys.exit(main())
