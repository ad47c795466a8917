"""`make test`: same servers as `make run` but kept apart from its data: test databases
(pytest-django), a separate index prefix, Redis database 1 and the second Neo4j instance."""

from config.env import env_str
from config.settings.base import *  # noqa: F403

SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "test")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:16379/1")
CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [REDIS_URL]  # noqa: F405
CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = "test"  # noqa: F405
EVENTS_STRICT = True
NEO4J_URI = env_str("NEO4J_URI", "bolt://127.0.0.1:17688")
PRESENCE_COALESCE = float(env_str("PRESENCE_COALESCE", "0.1"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Static files straight from the app folders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "auth": "100000/minute"},
}
SERVE_MEDIA = True
