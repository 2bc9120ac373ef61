"""The service's worker process (a job runner beside the web workers):
Django set up, then jobs logged through ``getLogger(name)``.

    python -m seedsite.worker JOBS
"""

import logging
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seedsite.settings")
django.setup()

log = logging.getLogger("billing.jobs")
for job in range(int(sys.argv[1])):
    log.info("job %06d done pid %d", job, os.getpid())
