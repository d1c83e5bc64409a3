"""Analytics: cookieless, aggregate counts of page views, form views and submissions, and charts of them.

Nothing personal is stored for a view: a count per day, page or form, and UTM source/medium/campaign.
Only visitors who allowed analytics cookies get a visitor id, and with it a journey on their contact's page.
"""
