"""Video addresses a marketer may paste (YouTube, Vimeo) and the privacy-enhanced players that show them.

Only these two providers: the page's CSP names their player hosts, and a visitor's browser contacts
neither before the visitor allowed marketing cookies (templates/site/hosted_page.html, static/cookies.js).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

# The hosts a page's CSP lets its video frames come from, by provider.
PLAYER_HOSTS = {"youtube": "https://www.youtube-nocookie.com", "vimeo": "https://player.vimeo.com"}
PROVIDER_NAMES = {"youtube": "YouTube", "vimeo": "Vimeo"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
_YOUTUBE_PATHS = re.compile(r"^/(?:embed|shorts|live|v)/([^/?#]+)")
_VIMEO_PATH = re.compile(
    r"^/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/)?(\d{1,12})(?:/([0-9a-f]{6,20}))?/?$"
)


@dataclass(frozen=True)
class Video:
    """A video at one of the providers: which one, its id, and a Vimeo unlisted video's key."""

    provider: str
    id: str
    key: str = ""

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES[self.provider]

    @property
    def player_url(self) -> str:
        """The privacy-enhanced player: no cookies from YouTube, Vimeo's "do not track" on."""
        if self.provider == "youtube":
            return f"{PLAYER_HOSTS['youtube']}/embed/{self.id}"
        return f"{PLAYER_HOSTS['vimeo']}/video/{self.id}?dnt=1{f'&h={self.key}' if self.key else ''}"

    @property
    def watch_url(self) -> str:
        """The video on the provider's own site: a link the visitor may follow instead."""
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.id}"
        return f"https://vimeo.com/{self.id}{f'/{self.key}' if self.key else ''}"


def parse_video(address: str) -> Video | None:
    """The video a YouTube or Vimeo address points at; None for anything else."""
    parts = urlsplit(address.strip())
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host == "youtu.be":
        candidate = parts.path.strip("/")
    elif host in _YOUTUBE_HOSTS:
        found = _YOUTUBE_PATHS.match(parts.path)
        candidate = found.group(1) if found else (parse_qs(parts.query).get("v") or [""])[0]
        if not found and parts.path.rstrip("/") != "/watch":
            return None
    elif host in ("vimeo.com", "player.vimeo.com"):
        match = _VIMEO_PATH.match(parts.path)
        if match is None:
            return None
        key = match.group(2) or (parse_qs(parts.query).get("h") or [""])[0]
        return Video("vimeo", match.group(1), key if re.fullmatch(r"[0-9a-f]{6,20}", key) else "")
    else:
        return None
    return Video("youtube", candidate) if _YOUTUBE_ID.match(candidate) else None


def frame_hosts(blocks: list[dict[str, Any]]) -> list[str]:
    """The player hosts a page's video blocks need in its CSP's frame-src (none for most pages)."""
    found = (
        parse_video(str(b.get("data", {}).get("video_url") or "")) for b in blocks if b.get("type") == "video"
    )
    return sorted({PLAYER_HOSTS[video.provider] for video in found if video is not None})
