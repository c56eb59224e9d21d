import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load every view module now, then leave what was loaded out of the garbage collector's full
# collections: they walked all of Django and the app's modules every few requests (about 6 ms
# a request on average on the incident list at a trust's size), and none of it is ever freed.
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module it names
gc.freeze()
