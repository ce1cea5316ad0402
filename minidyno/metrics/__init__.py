"""Heroku's Metrics tab: the router's and the dynos' figures at 10-second resolution for
a day, and the events marked on them."""
