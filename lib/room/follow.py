"""Following the presenter: what a presenter's view is, how a follower checks it, and who may resume whom.

A presenter's view is the page, the open tab and the settings exactly as a share link encodes them
(text per setting key). It travels through the room database to every follower, so it is checked
twice: here, for shape, before it is stored; and by the follower, against the page's own `UrlParam`s
and tab labels, before anything is applied, as with any link.

A member token lets a reloaded browser be the same member again. Only its hash is stored; a
presenter's key is kept sealed under the token, so neither reading the database nor holding a
follower's token ever gives presenter rights.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lib.core.settings import MAX_RAW_LENGTH, UrlParam, UrlValue
from lib.room.errors import RoomError

FOLLOW, EXPLORE = "follow", "explore"  # the room's mode: members follow the presenter, or everyone explores
MODES = (FOLLOW, EXPLORE)
MAX_SETTINGS = 100  # the largest page has about 40 settings
MAX_TAB_CHARS = 80
PAGE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")  # a url_path as Home.py names pages
SETTING_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,30}\.[a-z0-9_.]{1,60}")  # "kids.garden_k"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
TOKEN_BYTES = 24


@dataclass(frozen=True)
class PresenterView:
    page: str  # the page's url_path ("kids")
    tab: str | None  # the open tab's label; None on a page that shows views through a setting
    settings: Mapping[str, str]  # setting key -> value as the share link encodes it


@dataclass(frozen=True)
class RoomView:
    """What a follower polls: the presenter's latest view and how the room follows it."""

    version: int  # goes up with every published view and every "Bring everyone here"
    view: PresenterView | None  # None until the presenter has shown a demo page
    mode: str  # FOLLOW or EXPLORE
    gather: int  # goes up with every "Bring everyone here": explorers come back
    released: str | None  # why followers are on their own now (a closed room, a presenter who left), or None


@dataclass(frozen=True)
class FollowCounts:
    following: int
    exploring: int


@dataclass(frozen=True)
class Resumed:
    """Who a member token stands for: enough to be that member again after a reload."""

    code: str
    member_id: str
    name: str
    presenter_key: str | None  # only for the presenter's own token


def _plain_line(text: str) -> bool:
    return not any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text)


def check_view(page: object, tab: object, settings: object) -> PresenterView:
    """The view as stored, or RoomError when its shape could not come from a page of this app."""
    if not isinstance(page, str) or not PAGE_PATTERN.fullmatch(page):
        raise RoomError("A presenter view names a page by its address, such as kids.")
    if tab is not None and (not isinstance(tab, str) or not tab.strip() or len(tab) > MAX_TAB_CHARS
                            or not _plain_line(tab) or any(char in tab for char in "<>&\"`")):
        raise RoomError("A presenter view's tab must be a tab's plain label.")
    if not isinstance(settings, Mapping) or len(settings) > MAX_SETTINGS:
        raise RoomError(f"A presenter view carries at most {MAX_SETTINGS} settings.")
    for key, value in settings.items():
        if not isinstance(key, str) or not SETTING_KEY_PATTERN.fullmatch(key):
            raise RoomError("A presenter view's setting names look like kids.garden_k.")
        if not isinstance(value, str) or len(value) > MAX_RAW_LENGTH or not _plain_line(value):
            raise RoomError(f"The presenter view's value for {key} is not a link's value.")
    return PresenterView(page, tab, dict(settings))


def is_followed(param: UrlParam) -> bool:
    """Whether a setting travels from the presenter to followers: free text (a project's name, a secret
    message) is the visitor's own work, so it stays on each screen; sliders, choices and switches travel."""
    return param.choices is not None or not isinstance(param.default, str)


def settings_to_apply(view: PresenterView, params: Sequence[UrlParam]) -> tuple[dict[str, UrlValue], list[str]]:
    """The values a follower takes from `view` (parsed by the page's own params) and the keys it refuses.

    Settings the page does not have, and free-text ones, are ignored; a value its param cannot hold is
    refused, and the follower keeps their own value for it.
    """
    values: dict[str, UrlValue] = {}
    refused: list[str] = []
    for param in filter(is_followed, params):
        raw = view.settings.get(param.key)
        if raw is None:
            continue
        parsed = param.parse(raw)
        if parsed is None:
            refused.append(param.key)
        else:
            values[param.key] = parsed
    return values, refused


def tab_to_apply(view: PresenterView, labels: Sequence[str]) -> str | None:
    """The presenter's tab when the page has one with exactly that label, else None (the follower stays put)."""
    return view.tab if view.tab is not None and view.tab in labels else None


def view_signature(page: str, tab: str | None, settings: Mapping[str, str]) -> tuple:
    """A comparable summary of what a screen shows: a follower whose signature moves off the applied one explores."""
    return page, tab, tuple(sorted(settings.items()))


@dataclass(frozen=True)
class FollowerState:
    """One follower's place, kept in their session: the pure part of following, for tests and load clients."""

    applied_version: int | None = None  # the room version whose view this follower took last
    exploring: bool = False  # the follower moved something themselves
    seen_gather: int = 0  # the last "Bring everyone here" this follower answered


def follow_step(state: FollowerState, room: RoomView) -> tuple[FollowerState, bool]:
    """The follower's next state, and whether to take `room.view` now.

    A "Bring everyone here" newer than the follower has seen ends their exploring; a released room,
    a room in explore mode and an exploring follower take nothing.
    """
    if room.gather > state.seen_gather:
        state = replace(state, exploring=False, seen_gather=room.gather, applied_version=None)
    if room.released is not None or room.mode != FOLLOW or state.exploring or room.view is None:
        return state, False
    if state.applied_version == room.version:
        return state, False
    return replace(state, applied_version=room.version), True


def new_member_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a member token: a hash, so reading the database resumes nobody."""
    return hashlib.sha256(b"dsc-room-member:" + token.encode("utf-8")).hexdigest()


def is_token(text: object) -> bool:
    return isinstance(text, str) and TOKEN_PATTERN.fullmatch(text) is not None


def _pad(token: str, length: int) -> bytes:
    blocks = b"".join(hmac.digest(token.encode("utf-8"), b"presenter-key:%d" % index, "sha256")
                      for index in range(length // 32 + 1))
    return blocks[:length]


def seal_presenter_key(presenter_key: str, token: str) -> str:
    """The presenter key masked with a pad only the token can make: stored beside the token's hash."""
    raw = presenter_key.encode("utf-8")
    return base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(raw, _pad(token, len(raw)), strict=True))).decode()


def unseal_presenter_key(sealed: str, token: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    return bytes(a ^ b for a, b in zip(raw, _pad(token, len(raw)), strict=True)).decode("utf-8", errors="replace")


def shareable_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """The settings `check_view` takes: a value no link could carry (too long, several lines) stays behind."""
    return {key: value for key, value in settings.items()
            if isinstance(key, str) and SETTING_KEY_PATTERN.fullmatch(key) and isinstance(value, str)
            and len(value) <= MAX_RAW_LENGTH and _plain_line(value)}
