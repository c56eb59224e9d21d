"""The project's WSGI application, telling the benchmark what each request cost the server.

Only the page benchmark serves this (``stack.gunicorn(app="counted_wsgi:application")``): every
response carries ``X-Bench-Queries`` (SQL statements run) and ``X-Bench-Server-Ms`` (from the
request reaching Django to its headers being sent, the page fully rendered).
"""

import time

from config.wsgi import application as django_application  # sets Django up

# isort: split

from django.db import connection


def application(environ, start_response):
    started = time.perf_counter()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    def start_with_figures(status, headers, exc_info=None):
        elapsed_ms = (time.perf_counter() - started) * 1000
        headers = [
            *headers,
            ("X-Bench-Queries", str(queries)),
            ("X-Bench-Server-Ms", f"{elapsed_ms:.2f}"),
        ]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(count):
        return django_application(environ, start_with_figures)
