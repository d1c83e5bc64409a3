"""A tenant's own website for the embed tests: another origin, a strict CSP, and (on /hostile) hostile CSS.

Pages (each takes the form key from ?key= and embeds the script from the Landform server):
  /site      a roofer's landing page with the form in a placeholder (used for screenshots)
  /hostile   the same form on a page whose CSS tries to break everything; /hostile?plain=1 without it
  /two       two placeholders for the same form
  /cookies   the cookie banner (choices.js)
  /google    the banner with Google Consent Mode, then a stand-in Google tag
  /popup     a long page whose script tag shows the form as a popup or slide-in (?mode=&trigger=&after=&days=)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

EMBED_JS = Path(__file__).resolve().parents[2] / "landform" / "static" / "embed.js"

HOSTILE_CSS = """
* { all: unset; color: red !important; font-size: 40px !important;
  font-family: "Comic Sans MS", cursive !important; }
input, button, select, textarea, form { display: none !important; }
div { border: 9px dashed magenta !important; padding: 30px !important; }
[data-landform-form] { opacity: .9; }
#brand { display: block; color: rgb(120, 20, 60) !important; font-size: 22px !important; font-weight: 700;
  letter-spacing: 3px; text-transform: uppercase; padding: 12px !important; border: 0 !important; }
"""

SITE_CSS = """
:root { color: #23262b; font: 17px/1.6 Georgia, "Times New Roman", serif; }
* { box-sizing: border-box; }
body { margin: 0; background: #fbf7f1; }
header { background: #2b2118; color: #fbf7f1; padding: 14px clamp(16px, 5vw, 48px); display: flex;
  justify-content: space-between; align-items: center; font-family: Verdana, sans-serif; }
header strong { letter-spacing: .06em; text-transform: uppercase; font-size: 15px; }
header span { font-size: 13px; opacity: .8; }
main { max-width: 1100px; margin: 0 auto; padding: 32px clamp(16px, 5vw, 48px) 64px;
  display: grid; gap: 40px; }
h1 { font-size: clamp(30px, 5vw, 46px); line-height: 1.1; margin: 0 0 16px; color: #2b2118; }
.lede { font-size: 19px; color: #5b4e42; margin: 0 0 20px; }
ul { padding-left: 20px; margin: 0 0 20px; }
li { margin-bottom: 6px; }
.quote { border-left: 4px solid #c2773a; padding: 4px 0 4px 16px; font-style: italic; color: #5b4e42; }
@media (min-width: 860px) { main { grid-template-columns: 1.2fr 1fr; align-items: start; } }
footer { text-align: center; font: 13px Verdana, sans-serif; color: #8a7d70; padding: 24px; }
"""


def integrity() -> str:
    from landform.forms.embed import embed_script

    return embed_script()[1]


def script_tag(app: str, key: str) -> str:
    return (
        f'<script src="{app}/embed.js" data-landform-form="{escape(key)}" integrity="{integrity()}" '
        f'crossorigin="anonymous" async></script>'
    )


def page(app: str, path: str, key: str, plain: bool) -> str:
    head = '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
    head += '<meta name="viewport" content="width=device-width, initial-scale=1">'
    spot = f'<div data-landform-form="{escape(key)}"></div>'
    script = "" if plain else script_tag(app, key)
    if path == "/hostile":
        return (
            f'{head}<title>Hostile</title><link rel="stylesheet" href="/hostile.css"></head><body>'
            f'<p id="brand">Dakwerken De Vos</p><p>Vraag een offerte aan.</p>{spot}'
            f"<p>Footer</p>{script}</body></html>"
        )
    if path == "/two":
        return (
            f'{head}<title>Twee formulieren</title><link rel="stylesheet" href="/site.css"></head><body>'
            f'<main><section id="first">{spot}</section><section id="second">{spot}</section></main>'
            f"{script}</body></html>"
        )
    return (
        f"{head}<title>Dakwerken De Vos: gratis dakinspectie</title>"
        '<link rel="stylesheet" href="/site.css"></head><body>'
        "<header><strong>Dakwerken De Vos</strong><span>Sinds 1987 &middot; Amersfoort</span></header><main>"
        "<section><h1>Lekt uw dak, of twijfelt u?</h1>"
        '<p class="lede">Laat ons gratis kijken. Binnen een week staat er een vakman op uw dak, '
        "en u krijgt een eerlijk advies op papier.</p>"
        "<ul><li>Inspectie met foto&rsquo;s van elk gebrek</li><li>Vaste prijs, geen verrassingen</li>"
        "<li>Tien jaar garantie op ons werk</li></ul>"
        '<p class="quote">&ldquo;Binnen drie dagen was het lek gevonden en gerepareerd.&rdquo; '
        "&mdash; Mieke, Leusden</p>"
        f"</section><aside>{spot}</aside></main><footer>Dakwerken De Vos &middot; KvK 12345678</footer>"
        f"{script}</body></html>"
    )


def popup_page(app: str, key: str, query: dict[str, list[str]]) -> str:
    """A long article with a button before it; the script tag asks for a popup or slide-in."""
    names = {"mode": "popup", "trigger": "trigger", "after": "after", "days": "days"}
    extra = "".join(f' data-landform-{names[k]}="{escape(v[0])}"' for k, v in query.items() if k in names)
    tag = script_tag(app, key).replace(" integrity=", f"{extra} integrity=", 1)
    article = "".join(
        f"<p>Alinea {n}: een dak gaat dertig jaar mee als het goed wordt onderhouden.</p>" for n in range(60)
    )
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Dakwerken De Vos: onderhoud</title><link rel="stylesheet" href="/site.css"></head><body>'
        "<header><strong>Dakwerken De Vos</strong><span>Sinds 1987</span></header>"
        f'<main><section><h1>Onderhoud aan uw dak</h1><button id="before" type="button">Lees verder</button>'
        f"{article}</section></main>{tag}</body></html>"
    )


class Handler(BaseHTTPRequestHandler):
    app = ""  # the Landform server's origin, set per server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        csp = f"default-src 'none'; script-src {self.app}; connect-src {self.app}; style-src 'self'"
        if parts.path == "/cookies":
            # A tenant's own page with the cookie banner; its statistics script waits for consent.
            csp = (
                f"default-src 'none'; script-src 'self' {self.app}; connect-src {self.app}; style-src 'self'"
            )
            site = escape(query.get("key", [""])[0])
            body = (
                '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Dakwerken De Vos</title>'
                "</head><body><h1>Dakwerken De Vos</h1>"
                "<button type=button data-landform-cookie-settings>Cookie-instellingen</button>"
                '<script type="text/plain" data-category="analytics" src="/stats.js"></script>'
                f'<script src="{self.app}/choices.js" data-landform-site="{site}" async></script>'
                "</body></html>"
            ).encode()
            kind = "text/html; charset=utf-8"
        elif parts.path == "/google":
            # choices.js first, without async, as the dashboard tells a tenant using Google tags; then a
            # stand-in for gtag.js that notes what the dataLayer held when it started.
            csp = (
                f"default-src 'none'; script-src 'self' {self.app}; connect-src {self.app}; style-src 'self'"
            )
            site = escape(query.get("key", [""])[0])
            body = (
                '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Dakwerken De Vos</title>'
                f'<script src="{self.app}/choices.js" data-landform-site="{site}" data-landform-consent-mode>'
                '</script><script src="/gtag.js" async></script></head><body><h1>Dakwerken De Vos</h1>'
                "</body></html>"
            ).encode()
            kind = "text/html; charset=utf-8"
        elif parts.path == "/gtag.js":
            body = (
                b"window.googleSaw = Array.from(window.dataLayer || [],"
                b" a => JSON.parse(JSON.stringify(Array.from(a))));"
            )
            kind = "text/javascript"
        elif parts.path == "/stats.js":
            body = b"window.statsRan = (window.statsRan || 0) + 1;"
            kind = "text/javascript"
        elif parts.path == "/popup":
            body = popup_page(self.app, query.get("key", [""])[0], query).encode()
            kind = "text/html; charset=utf-8"
        elif parts.path in ("/site", "/hostile", "/two"):
            key = query.get("key", [""])[0]
            body = page(self.app, parts.path, key, "plain" in query).encode()
            kind = "text/html; charset=utf-8"
        elif parts.path in ("/site.css", "/hostile.css"):
            body = (SITE_CSS if parts.path == "/site.css" else HOSTILE_CSS).encode()
            kind = "text/css"
        else:
            self.send_response(204)
            self.send_header("content-security-policy", csp)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.send_header("content-security-policy", csp)
        self.send_header("cache-control", "no-store")
        self.end_headers()
        self.wfile.write(body)


@dataclass
class CustomerSite:
    origin: str

    def url(self, path: str, key: str, **params: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in params.items())
        return f"{self.origin}{path}?key={key}{extra}"


@contextmanager
def customer_site(app_origin: str) -> Iterator[CustomerSite]:
    """A website on its own loopback port (another origin than the Landform server)."""
    handler = type("SiteHandler", (Handler,), {"app": app_origin})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CustomerSite(origin=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
