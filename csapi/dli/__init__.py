"""csapi.dli: the client of DLI Flink jobs, the successor of CS, on Huawei's SDK. Django-free.

``DLIClient`` (:mod:`.client`) has one method per DLI operation (D1-D23), grouped by resource, with
csapi's auth objects, retry rules, outbound policy and exception classes. :mod:`.errors` holds DLI's
error-code table, :mod:`.limits` and :mod:`.validation` the request limits (shared with the emulator and
the forms), :mod:`.models` the results, :mod:`.paging` the lazy ``offset``/``limit`` iterator and
:mod:`.transport` the SDK wiring. DLI's vocabulary is the DLI section of :mod:`csapi.vocab`.
"""

from .client import DLIClient
from .errors import DLI_CODE_CLASSES, DLI_ERROR_CODES
from .models import ActionResult, DLIJob, DLITemplate, ElasticResourcePool, Queue, Quotas
from .paging import OffsetPager

__all__ = [
    "ActionResult",
    "DLIClient",
    "DLIJob",
    "DLITemplate",
    "DLI_CODE_CLASSES",
    "DLI_ERROR_CODES",
    "ElasticResourcePool",
    "OffsetPager",
    "Queue",
    "Quotas",
]
