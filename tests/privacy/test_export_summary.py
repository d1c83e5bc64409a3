"""The copy a person downloads reads as a document in their language; the files for programs are unchanged."""

from __future__ import annotations

import io
import json
import re
import zipfile

from tests.conftest import wait_for
from tests.consent.helpers import consent_form, contact_by_email, make_purpose, submit
from tests.privacy.conftest import link_in

EMAIL = "sanne.dekker@example.org"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _download(client, db, owner, inbox) -> zipfile.ZipFile:
    purpose, text = make_purpose(db, owner)
    form = consent_form(db, owner, purpose, text)
    sent = submit(
        client, form, {"first_name": "Sanne", "last_name": "Dekker", "email": EMAIL, "newsletter": "on"}
    )
    assert sent.status_code == 201, sent.text
    wait_for(lambda: contact_by_email(db, EMAIL))
    client.post("/privacy/acme/requests?lang=nl", data={"email": EMAIL, "kind": "access"})
    link = link_in(inbox.wait(EMAIL, "privacyverzoek"), "/privacy/acme/verify")
    token = link.split("token=", 1)[1].split("&", 1)[0]
    assert client.post("/privacy/acme/verify?lang=nl", data={"token": token}).status_code == 200
    ready = inbox.wait(EMAIL, "staan klaar")
    download = client.get(link_in(ready, "/privacy/acme/download"))
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.content))


def test_it_gives_a_dutch_summary_a_person_can_read_beside_the_files_for_programs(client, db, owner, inbox):
    archive = _download(client, db, owner, inbox)
    summary = archive.read("summary.html").decode()
    assert 'lang="nl"' in summary and 'name="viewport"' in summary
    for words in (
        "Je contactgegevens",
        "Voornaam",
        "Sanne",
        "Wat je via formulieren stuurde",
        "Brochure request",
        "Je toestemmingen",
        "Nieuwsbrief",
        "Wie je gegevens ontvingen",
    ):
        assert words in summary, words
    assert not UUID.search(summary)
    assert "True" not in summary and "False" not in summary
    assert "{'" not in summary and "<table" not in summary
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", summary), "no raw timestamps"
    assert "webhook" not in summary.casefold()
    data = json.loads(archive.read("data.json"))
    assert data["contact"][0]["email"] == EMAIL and "id" in data["contact"][0]
    assert "contact.csv" in archive.namelist() and "submissions.csv" in archive.namelist()
