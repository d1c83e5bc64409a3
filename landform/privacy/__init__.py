"""The privacy portal, data-subject requests, data-breach incidents and the personal-data anonymizer."""
