from django.db import connection
from django.shortcuts import render

from .models import Greeting


def index(request):
    return render(request, "index.html", {"scheme": request.scheme})


def db(request):
    """Write a greeting and list them all: works once Postgres is attached, psycopg is
    installed and the release phase has migrated."""
    Greeting.objects.create()
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        encrypted = cursor.fetchone()[0]
    return render(request, "db.html", {"greetings": Greeting.objects.order_by("when"),
                                       "encrypted": encrypted})
