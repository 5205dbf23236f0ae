"""Settings of the server a benchmark starts: production settings plus the bare baseline view.

Selected with ``DJANGO_SETTINGS_MODULE=bench.settings`` by ``bench.server.serve`` only, so the
baseline view never exists in production's URL map.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
