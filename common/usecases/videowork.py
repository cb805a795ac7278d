"""The hub's 视频帮办 commands (docs/remote.md), mixed into `Hub`. Who may do what:

- ask for video help (or leave a call-back): staff of a village point signed in on its laptop (`VideoUser` of the
  village site). The request names a service item of that site and is served by the site's parent.
- take, connect, hang up, finish: a 帮办 desk clerk (`VideoUser` of the serving site); after the take, only the
  clerk who took it.
- cancel, hang up, rate (微笑, once): the village end of that request, by its unguessable call token.

Every step is an event of the village site, written under that site's lock, by the hub that owns the village site
(a child hub's village is that hub's: `video_at_child_hub`), with one exception across the hub tree: a call-back of
a child hub's village served by a site this hub owns (the district's desk) is taken and finished here (`vh.ACROSS`),
and those steps come down to the village hub (`door.admit_from_upstream`). The village hub, for its part, writes
nothing on such a request after leaving it (`video_with_upstream`): one writer at a time.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from sqlalchemy import Connection

from common.db import repo, videorows
from common.db.engine import reader
from common.domain import errors as e
from common.domain import videohelp as vh
from common.domain.ids import new_token, uuid7, uuid_form
from common.domain.videohelp import VideoHelp
from common.usecases import auth
from common.usecases.commands import AtSite, Build, command

VIDEO_ROLES = frozenset({"clerk", "supervisor"})  # who signs in to the video pages (a desk, or a village point)


@dataclass(frozen=True)
class VideoUser:
    """Someone acting on the video pages, as a command's actor: a desk clerk, village staff, or (clerk None) the
    village end by its call token. The events name the clerk, if any, and the end as their device."""

    site_id: str
    clerk_id: str | None
    device_id: str = "video"
    role: None = None
    window_id: None = None


def _owned(conn: Connection, site_id: str) -> None:
    if site_id not in repo.owned_sites(conn):
        raise e.Forbidden("video_at_child_hub")


def _desk_owned(conn: Connection, v: VideoHelp, kind: str) -> None:
    """A desk writes only at the hub that owns its (serving) site: on a request of a village this hub owns, or
    (`vh.ACROSS` steps only) on a call-back of a child hub's village."""
    owned = repo.owned_sites(conn)
    if v.serving_site_id not in owned:  # the desk is the upstream's: the village hub is not its writer
        raise e.Forbidden("video_with_upstream")
    if v.site_id in owned:
        return
    if not (kind in vh.ACROSS and v.call_back and v.serving_site_id in owned and v.site_id in repo.child_hub_sites(conn)):
        raise e.Forbidden("video_at_child_hub")


def _request_id(request_id: str) -> str:
    if not uuid_form(request_id):
        raise e.NotFound("no_video")
    return request_id


def _find(conn: Connection, site_ids, request_id: str) -> VideoHelp:
    found = videorows.requests(conn, site_ids).get(request_id)
    if found is None:
        raise e.NotFound("no_video")
    return found


def by_token(conn: Connection, request_id: str, token: str) -> VideoHelp:
    """The request behind a village end's call token; another request's token (or none) is not found."""
    found = None
    if uuid_form(request_id) and 16 <= len(token) <= 64:
        found = next((v for v in videorows.requests(conn, _all_sites(conn)).values() if v.id == request_id), None)
    if found is None or not hmac.compare_digest(found.call_token.encode(), token.encode()):
        raise e.NotFound("no_video")
    return found


def _all_sites(conn: Connection) -> set[str]:
    return repo.owned_sites(conn) | repo.child_hub_sites(conn)


def desk_may(actor: VideoUser, v: VideoHelp, taken: bool = True) -> None:
    """A desk clerk acts only on requests her site serves, and after the take only on her own."""
    if v.serving_site_id != actor.site_id:
        raise e.NotFound("no_video")
    if taken and v.clerk_id != actor.clerk_id:
        raise e.Forbidden("video_other_clerk")


class VideoCommands:
    """Mixed into `Hub`: uses its engine and `_command`."""

    def video_request(self, request_id: str) -> VideoHelp:
        """A request by id, read (for the pages after a command)."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return _find(conn, _all_sites(conn), _request_id(request_id))

    def video_by_token(self, request_id: str, token: str) -> VideoHelp:
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return by_token(conn, request_id, token)

    def video_reachable(self, site_id: str) -> bool:
        """Whether the desks serving `site_id` are at this hub (its parent site is one it owns): else only a
        call-back can be left, which travels up with the site's events."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            parent = videorows.parent_of(conn, site_id)
            return parent is not None and parent in repo.owned_sites(conn)

    @command
    def request_video(self, actor: VideoUser, *, item_id: str, call_back: bool, desks_open: bool) -> Build:
        """Ask for video help with a matter. `desks_open`: a desk of the serving site is on line now (the pages'
        presence, server/web/video.py); if not, or the desks are at another hub, only a call-back may be left."""
        if actor.clerk_id is None:
            raise e.ClerkRequired()
        if not isinstance(item_id, str) or not 0 < len(item_id) <= 64:
            raise e.NotFound("no_item")

        def build(conn, state, now):
            _owned(conn, actor.site_id)
            item = repo.service_item(conn, actor.site_id, item_id)
            if item is None:
                raise e.NotFound("no_item")
            serving = videorows.parent_of(conn, actor.site_id)
            if serving is None:
                raise e.Forbidden("video_no_serving_site")
            if not call_back and not (desks_open and serving in repo.owned_sites(conn)):
                raise e.Conflict("video_unavailable")
            return vh.decide_request(request_id=uuid7(), serving_site_id=serving, item_id=item.id,
                                     call_token=new_token(), wait_limit_min=item.wait_limit_min,
                                     service_limit_min=item.service_limit_min, call_back=call_back)

        return build

    def _desk_step(self, actor: VideoUser, request_id: str, decide, taken: bool = True) -> AtSite:
        """A desk clerk's step on a request, run at the request's (village) site."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            seen = _find(conn, videorows.served_by(conn, actor.site_id), _request_id(request_id))

        def build(conn, state, now):
            v = state.video[request_id] = _find(conn, [seen.site_id], request_id)
            desk_may(actor, v, taken)
            kind, data = decide(v)
            _desk_owned(conn, v, kind)
            return kind, data

        return AtSite(seen.site_id, build)

    @command
    def take_video(self, actor: VideoUser, request_id: str) -> AtSite:
        """Take a request (or a call-back) of the queue."""
        if actor.clerk_id is None:
            raise e.ClerkRequired()
        return self._desk_step(actor, request_id, lambda v: vh.decide_take(v, actor.clerk_id), taken=False)

    @command
    def connect_video(self, actor: VideoUser, request_id: str) -> AtSite:
        """The desk's page saw the peer connection up: the service time starts."""
        return self._desk_step(actor, request_id, vh.decide_connect)

    @command
    def finish_video(self, actor: VideoUser, request_id: str, *, outcome: str, reason: str | None = None) -> AtSite:
        reason = (reason or "").strip()[:500] or None
        return self._desk_step(actor, request_id, lambda v: vh.decide_finish(v, outcome, reason))

    @command
    def desk_hang_up_video(self, actor: VideoUser, request_id: str) -> AtSite:
        return self._desk_step(actor, request_id, lambda v: vh.decide_hang_up(v, "desk"))

    def _village_step(self, request_id: str, token: str, decide) -> tuple[VideoUser, AtSite]:
        """A step of the village end of a request, by its call token."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            seen = by_token(conn, request_id, token)

        def build(conn, state, now):
            _owned(conn, seen.site_id)
            v = state.video[seen.id] = by_token(conn, request_id, token)
            if v.serving_site_id not in repo.owned_sites(conn):  # its desk is at the upstream, which alone writes now
                raise e.Forbidden("video_with_upstream")
            return decide(v)

        return VideoUser(site_id=seen.site_id, clerk_id=None, device_id="video-village"), AtSite(seen.site_id, build)

    def village_video(self, step: str, request_id: str, token: str, score: int = 0):
        """The village end's step: "cancel", "hang_up" or "rate" (with `score`, 1-5)."""
        decide = {"cancel": vh.decide_cancel, "hang_up": lambda v: vh.decide_hang_up(v, "village"),
                  "rate": lambda v: vh.decide_rate(v, score)}.get(step)
        if decide is None:
            raise e.NotFound("no_video")
        actor, build = self._village_step(request_id, token, decide)
        return self._command(actor, build)  # type: ignore[attr-defined]

    def video_read(self, fn, *args):
        """`fn(conn, *args, now)` in one read: a view of common.readmodels.videohelp."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return fn(conn, *args, self.clock.now())  # type: ignore[attr-defined]

    def video_user(self, token: str) -> VideoUser:
        """Who is signed in to the video pages in a browser (a clerk or a supervisor: `VIDEO_ROLES`)."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            user = auth.web_user(conn, token, self.clock.now(), VIDEO_ROLES)  # type: ignore[attr-defined]
        return VideoUser(site_id=user.site_id, clerk_id=user.clerk_id, device_id="video-desk")
