"""The limits of every field a command takes, in one place: the HTTP bodies (server/schemas.py) and the
pushed events (common/domain/events.py) both use these, so the two doors accept exactly the same values."""
from __future__ import annotations

ID_MAX = 64  # ids of sites, queues, windows, items, bundles, clerks, devices: String(64) columns
ID_PATTERN = r"^[A-Za-z0-9_.\-]+$"  # no spaces, no markup, no paths
UUID_MAX = 36  # event and ticket ids are UUIDs: String(36) columns
TOKEN_MIN, TOKEN_MAX = 16, 64  # a ticket's public token (new_token: 32 URL-safe characters)
TOKEN_PATTERN = r"^[A-Za-z0-9_\-]+$"  # new_token's alphabet: no NUL, no markup, no path reaches a query
TEXT_MAX = 500  # reasons of a call, a finish, a rating; missing materials
PAUSE_REASON_MAX = 200
DEPARTMENT_MAX = 50  # a service item's department (承办单位): String(50)
NAME_EN_MAX = 100  # a hall's own English name of a queue or a department: String(100)
NAME_MAX, PHONE_MAX = 50, 20  # a case reporter's name and phone number, as typed
CONTACT_SEALED_MAX = 400  # the two, encrypted (common/domain/contact.py): base64 of AES-GCM with its nonce
NUMBER_MAX = 12  # "A012": String(12)
SEQ_MAX = 99_999  # numbers of one queue letter in one business day (the counter is a 32-bit integer)
POSITION_MAX = 2**62  # an event position or seq (pushed, pulled, streamed, reported): BIGINT holds 2**63 - 1; this
#   leaves room for the `+ 1` and `after + len(batch)` done on it, on SQLite and PostgreSQL alike
LEASE_MAX = 500  # numbers in one lease
MINUTES_MAX = 24 * 60  # wait and service limits
SCORE_MIN, SCORE_MAX = 1, 5

# Pushed events: how far from the receiving hub's clock their time and business day may be.
DAYS_BACK = 30  # a device offline longer than this must have its events looked at by hand
HUB_DAYS_BACK = 366  # a child hub catches up on its own history after a long partition
HOURS_AHEAD = 1  # device clocks are corrected by the hub's time; more than this is a wrong clock
DAYS_AHEAD = 1  # no business day after tomorrow
CLOCK_SKEW_S = 5  # a device's corrected clock errs by at most half an answered round trip: under half the 10 s
#   transport timeout (common/sync/transport.py). A pushed event this much before its clerk's sign-in still counts.
MISS_TEXT_MAX = 40  # characters of a guide search kept when it found nothing (a citizen types a few words)
