"""The contact's and the company's fields, named once: what a person edits, a merge chooses between,
routing fills and a form's answer can be mapped to."""

from __future__ import annotations

from landform.core.i18n import lazy_gettext

# A contact's fields, in the order the CRM shows them (the merge screen), by kind: "text" is free text of
# at most CONTACT_WIDTHS characters, "web" a web address, "choice" one of a few values, "company" and
# "user" a row's id.
CONTACT_FIELDS = {
    "email": "email",
    "first_name": "text",
    "last_name": "text",
    "phone": "phone",
    "company_name": "text",
    "company_id": "company",
    "job_title": "text",
    "gender": "choice",
    "language": "choice",
    "linkedin": "web",
    "facebook": "web",
    "twitter": "web",
    "description": "text",
    "owner_id": "user",
}
CONTACT_WIDTHS = {
    "first_name": 100,
    "last_name": 100,
    "phone": 32,
    "company_name": 200,
    "job_title": 200,
    "gender": 16,
    "language": 8,
    "description": 4000,
}
# A company's fields a person edits and a lead fills, by kind (as the contact's; the numbers each have
# their own check).
COMPANY_FIELDS = {
    "name": "text",
    "address": "text",
    "postcode": "postcode",
    "city": "text",
    "country": "country",
    "phone": "phone",
    "vat_number": "vat_number",
    "kvk_number": "kvk_number",
    "rsin": "rsin",
    "visiting_address": "text",
    "invoice_address": "text",
    "website": "web",
    "linkedin": "web",
    "facebook": "web",
    "twitter": "web",
    "description": "text",
    "size": "number",
}
COMPANY_WIDTHS = {
    "name": 200,
    "address": 200,
    "postcode": 16,
    "city": 100,
    "visiting_address": 300,
    "invoice_address": 300,
    "description": 4000,
}

# The fields a form's answer can fill ("contact.x" or "company.x"), with their labels, in the order the
# field-mapping screen lists them.
CONTACT_TARGETS = {
    "first_name": lazy_gettext("First name"),
    "last_name": lazy_gettext("Last name"),
    "phone": lazy_gettext("Phone number"),
    "job_title": lazy_gettext("Job title"),
    "gender": lazy_gettext("Gender"),
    "language": lazy_gettext("Language"),
    "company_name": lazy_gettext("Company name"),
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "twitter": "Twitter",
    "description": lazy_gettext("Description"),
}
COMPANY_TARGETS = {
    "address": lazy_gettext("Address"),
    "postcode": lazy_gettext("Postcode"),
    "city": lazy_gettext("City"),
    "country": lazy_gettext("Country (two letters)"),
    "phone": lazy_gettext("Phone number"),
    "vat_number": lazy_gettext("VAT number"),
    "kvk_number": lazy_gettext("KvK number"),
    "rsin": "RSIN",
    "visiting_address": lazy_gettext("Visiting address"),
    "invoice_address": lazy_gettext("Invoice address"),
    "website": lazy_gettext("Website"),
    "linkedin": "LinkedIn",
    "facebook": "Facebook",
    "twitter": "Twitter",
    "description": lazy_gettext("Description"),
    "size": lazy_gettext("Number of employees"),
}
TARGETS = [f"contact.{name}" for name in CONTACT_TARGETS] + [f"company.{name}" for name in COMPANY_TARGETS]

# What the intake hands the CRM of a submission (`Submission.contact_fields`) besides the e-mail
# address, and where each goes when the form has no mapping of its own. Forms fill these by field type
# (a phone field gives "phone") or by a text field's choice.
LEAD_FIELDS = {
    "first_name": "contact.first_name",
    "last_name": "contact.last_name",
    "phone": "contact.phone",
    "company_name": "contact.company_name",
    "job_title": "contact.job_title",
    "vat_number": "company.vat_number",
    "kvk_number": "company.kvk_number",
    "rsin": "company.rsin",
    "website": "company.website",
}
