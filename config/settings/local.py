"""`make run`: the local stack, debug pages on."""

from config.env import env_bool
from config.settings.base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SERVE_MEDIA = True
