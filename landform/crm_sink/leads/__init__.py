"""The worker's lead writing: submissions read as leads, their companies matched, the CRM written."""
