import logging
import os
import time

from django.http import HttpResponse

log = logging.getLogger("web.views")
queries = logging.getLogger("db.queries")


def order(request, order):
    pid = os.getpid()
    for step in range(5):
        log.info("order %06d step %d pid %d", order, step, pid)
    queries.info("order %06d query pid %d", order, pid)
    time.sleep(0.005)  # so that concurrent requests spread over the workers
    return HttpResponse(f"{pid}\n")
