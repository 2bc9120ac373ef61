"""A small Django project logging as the seed service does: each module
through ``logging.getLogger(name)``, one file per name in ``logs/``, the
seed's line format; here through ``ConcurrentRoutingFileHandler``."""

import os

SECRET_KEY = "test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "seedsite.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"seed": {"format": "%(asctime)s - %(name)s - %(levelname)s - %(message)s"}},
    "handlers": {
        "files": {
            "class": "concurrent_rotating_file.ConcurrentRoutingFileHandler",
            "directory": os.environ["SEED_LOG_DIR"],
            "maxBytes": int(os.environ.get("SEED_MAX_BYTES", 1024 * 1024)),
            "backupCount": 200,
            "use_gzip": True,
            "background": True,
            "formatter": "seed",
        },
    },
    "root": {"handlers": ["files"], "level": "INFO"},
    # Django's own request logger would add its lines to django.log.
    "loggers": {"django": {"level": "WARNING"}},
}
