"""`landform demo` seeds a showcase page whose form has steps and a field shown by a rule."""

from __future__ import annotations

from landform.demo.seed import seed_demo


def test_it_seeds_a_stepped_showcase_once(client, settings):
    first = seed_demo(settings)
    assert seed_demo(settings) == first
    assert first["showcase_page_url"] == "http://testserver.local/p/demo/thuisbatterij"
    page = client.get("/p/demo/thuisbatterij?lang=en")
    assert page.status_code == 200
    assert "Step 1 of 3" in page.text and "About you" in page.text
    assert 'name="company_name"' in page.text and "data-show-if" in page.text
    definition = client.get(f"/f/{first['showcase_form_key']}/embed").json()
    # Steps, the file field on its last step, and the proof-of-work solver every embedded form loads last.
    assert definition["ext"] == ["steps", "files", "altcha"] and len(definition["steps"]) == 3
