"""视频帮办 (video help, docs/remote.md): a village point's request for a remote clerk, its rules and its projection.

A request is a fold of events, like a ticket or a case. It names the matter (a service item of the village site) and
the village site; nothing personal. It is written at the village site and served by the site above it (its parent:
the town centre or the district), whose 帮办 desk clerks take it. Each `decide_*` checks one step against the request
as it stands and returns the event to store (kind, data); `apply` folds an event into the request.

    requested ──take──▶ taken ──connect──▶ in_call ──hang_up──▶ call_over ──finish(outcome)──▶ finished
        │  ▲                 └──────────hang_up─────────────────────┘
        │  └──────────── (a call-back is taken like a request)
        ├──cancel──▶ cancelled          (taken: cancel too, before the call connects)
        └──(asked while no desk can answer)──▶ call_back ──take──▶ taken ...

A rating (微笑, 1-5) is given once, by the village end, after the call is over (call_over or finished).
A call-back may also be finished straight from taken: the clerk returned it by telephone, with no video call (so
there is nothing to rate). Across the hub tree that is the only way (docs/remote.md): `ACROSS`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from common.domain import errors as e
from common.domain import limits as L

VIDEO_REQUESTED = "video_requested"
VIDEO_TAKEN = "video_taken"
VIDEO_CONNECTED = "video_connected"
VIDEO_HUNG_UP = "video_hung_up"
VIDEO_FINISHED = "video_finished"
VIDEO_CANCELLED = "video_cancelled"
VIDEO_RATED = "video_rated"
KINDS = frozenset({VIDEO_REQUESTED, VIDEO_TAKEN, VIDEO_CONNECTED, VIDEO_HUNG_UP, VIDEO_FINISHED, VIDEO_CANCELLED,
                   VIDEO_RATED})

# The desk's steps on a call-back of a village whose hub is not the desk's (the district serving a village hub): it
# takes it, telephones the village, and finishes it with the outcome. Written at the desk's hub, they come down to
# the village hub as a case's handling steps do (`door.admit_from_upstream`); every other step there is refused.
ACROSS = frozenset({VIDEO_TAKEN, VIDEO_FINISHED})

OUTCOMES = frozenset({"completed", "accepted", "accepted_missing", "commitment", "rejected"})  # model.Outcome's
ENDS = frozenset({"village", "desk"})  # who hung up


class VideoStatus(StrEnum):
    requested = "requested"  # 等待帮办
    call_back = "call_back"  # 待回拨: asked while no desk could answer; the clerk calls the village when it is back
    taken = "taken"  # a clerk took it: the call is being set up
    in_call = "in_call"  # 通话中
    call_over = "call_over"  # 已挂断: waiting for the clerk's outcome
    finished = "finished"  # 已办结 (with an outcome)
    cancelled = "cancelled"


WAITING = (VideoStatus.requested, VideoStatus.call_back)  # in the desk's queue
LIVE = (VideoStatus.taken, VideoStatus.in_call)  # a call is open: its signalling channel too


@dataclass
class VideoHelp:
    """One request as its events made it. `serving_site_id`: the site whose desks take it (the village's parent)."""

    id: str
    site_id: str  # the village site
    serving_site_id: str
    item_id: str
    call_token: str  # the village end's unguessable token for this request and its call (never listed)
    wait_limit_min: int
    service_limit_min: int
    requested_at: datetime
    status: VideoStatus = VideoStatus.requested
    call_back: bool = False
    clerk_id: str | None = None
    taken_at: datetime | None = None
    connected_at: datetime | None = None
    hung_up_at: datetime | None = None
    hung_up_by: str | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    reason: str | None = None
    rating_score: int | None = None

    def wait_seconds(self, now: datetime) -> float:
        """The wait so far (or until taken), against `wait_limit_min`."""
        return ((self.taken_at or now) - self.requested_at).total_seconds()

    def service_seconds(self, now: datetime) -> float | None:
        """The call's length so far (or until hung up), against `service_limit_min`; None before it connected."""
        if self.connected_at is None:
            return None
        return ((self.hung_up_at or now) - self.connected_at).total_seconds()


def _must(ok: bool, code: str) -> None:
    if not ok:
        raise e.Conflict(code)


# ---------------------------------------------------------------- decisions (the rules of each step)

def decide_request(*, request_id: str, serving_site_id: str, item_id: str, call_token: str, wait_limit_min: int,
                   service_limit_min: int, call_back: bool) -> tuple[str, dict]:
    """A new request; `call_back`: no desk can answer now, so it is left for the clerk to call back."""
    return VIDEO_REQUESTED, {"request_id": request_id, "serving_site_id": serving_site_id, "item_id": item_id,
                             "call_token": call_token, "wait_limit_min": wait_limit_min,
                             "service_limit_min": service_limit_min, "call_back": call_back}


def decide_take(v: VideoHelp, clerk_id: str) -> tuple[str, dict]:
    _must(v.status in WAITING, "video_not_waiting")
    return VIDEO_TAKEN, {"request_id": v.id, "desk_clerk_id": clerk_id}


def decide_connect(v: VideoHelp) -> tuple[str, dict]:
    _must(v.status is VideoStatus.taken, "video_not_taken")
    return VIDEO_CONNECTED, {"request_id": v.id}


def decide_hang_up(v: VideoHelp, by: str) -> tuple[str, dict]:
    _must(v.status in LIVE, "video_no_call")
    return VIDEO_HUNG_UP, {"request_id": v.id, "by": by}


def finishable(v: VideoHelp) -> bool:
    """The call is over, or the request is a call-back taken and returned by telephone (no video call)."""
    return v.status is VideoStatus.call_over or (v.status is VideoStatus.taken and v.call_back)


def decide_finish(v: VideoHelp, outcome: str, reason: str | None) -> tuple[str, dict]:
    """The clerk's outcome, once the call is over (or a call-back returned by phone); 不予受理 needs its reason, as
    at a window."""
    _must(finishable(v), "video_not_over")
    if outcome not in OUTCOMES:
        raise e.InvalidInput("video_outcome")
    if outcome == "rejected" and not reason:
        raise e.ReasonRequired()
    return VIDEO_FINISHED, {"request_id": v.id, "outcome": outcome, "reason": reason}


def decide_cancel(v: VideoHelp) -> tuple[str, dict]:
    """The village end gives up: while waiting, or taken before the call connected."""
    _must(v.status in (*WAITING, VideoStatus.taken), "video_not_cancellable")
    return VIDEO_CANCELLED, {"request_id": v.id}


def decide_rate(v: VideoHelp, score: int) -> tuple[str, dict]:
    """微笑: one rating per service, after the call."""
    _must(v.status in (VideoStatus.call_over, VideoStatus.finished) and v.connected_at is not None, "video_not_over")
    if v.rating_score is not None:
        raise e.AlreadyRated()
    if not L.SCORE_MIN <= score <= L.SCORE_MAX:
        raise e.InvalidInput("video_score")
    return VIDEO_RATED, {"request_id": v.id, "score": score}


# ---------------------------------------------------------------- the projection

def apply(requests: dict[str, VideoHelp], site_id: str, kind: str, at: datetime, d: dict) -> bool:
    """Fold one video-help event into `requests`; False when it is void (it no longer fits the request)."""
    if kind == VIDEO_REQUESTED:
        if d["request_id"] in requests:
            return False
        requests[d["request_id"]] = VideoHelp(
            id=d["request_id"], site_id=site_id, serving_site_id=d["serving_site_id"], item_id=d["item_id"],
            call_token=d["call_token"], wait_limit_min=d["wait_limit_min"], service_limit_min=d["service_limit_min"],
            requested_at=at, call_back=d["call_back"],
            status=VideoStatus.call_back if d["call_back"] else VideoStatus.requested)
        return True
    v = requests.get(d["request_id"])
    if v is None or v.site_id != site_id:
        return False
    if kind == VIDEO_TAKEN and v.status in WAITING:
        v.status, v.clerk_id, v.taken_at = VideoStatus.taken, d["desk_clerk_id"], at
    elif kind == VIDEO_CONNECTED and v.status is VideoStatus.taken:
        v.status, v.connected_at = VideoStatus.in_call, at
    elif kind == VIDEO_HUNG_UP and v.status in LIVE:
        v.status, v.hung_up_at, v.hung_up_by = VideoStatus.call_over, at, d["by"]
    elif kind == VIDEO_FINISHED and finishable(v):
        v.status, v.finished_at, v.outcome, v.reason = VideoStatus.finished, at, d["outcome"], d.get("reason")
    elif kind == VIDEO_CANCELLED and v.status in (*WAITING, VideoStatus.taken):
        v.status = VideoStatus.cancelled
    elif kind == VIDEO_RATED and v.status in (VideoStatus.call_over, VideoStatus.finished) and v.rating_score is None:
        v.rating_score = d["score"]
    else:
        return False
    return True
