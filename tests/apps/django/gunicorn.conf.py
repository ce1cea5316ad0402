"""gunicorn's settings as Heroku's getting-started guide has them: threads, the
platform's WEB_CONCURRENCY, and X-Forwarded-Proto trusted from the router."""

import os

bind = ["[::]:{}".format(os.environ.get("PORT", 5006))]
worker_class = "gthread"
workers = os.environ.get("WEB_CONCURRENCY", 1)
threads = 5
timeout = 20
graceful_timeout = 20
keepalive = 95
accesslog = "-"
preload_app = True
forwarded_allow_ips = "*"
