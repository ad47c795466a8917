"""`make run`: the local stack, debug pages on."""

from config.env import env_bool, env_str
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SERVE_MEDIA = True

# Mail goes to files a developer can read (var/mail/), unless an SMTP server is configured.
if not env_str("EMAIL_URL", "") and not env_str("EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(BASE_DIR / "var" / "mail")  # noqa: F405
