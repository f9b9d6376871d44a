"""Every limit of DLI's Flink job, template and list requests, defined once.

Used by the client (to refuse a value before any request), by the emulator (to answer it with DLI's
code) and by the dashboard's forms. Each constant cites its source: the DLI API reference pages
(``dli_02_*``) or, where the reference is silent or older, the request models of Huawei's SDK
(``huaweicloudsdkdli.v1.model``). Where the two disagree the stricter value is kept, so that what
passes here passes DLI; the note says so. DLI counts text limits in characters, not bytes.

Every violation is answered with ``DLI.0001`` ("Parameter check errors occur"), except the template
count (``DLI.1028``, "The quota is insufficient"); :mod:`csapi.dli.validation` names the code.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- jobs (D1-D4)

#: dli_02_0228 (create SQL job): "name ... can contain 1 to 57 characters" (SDK: 0-57; a blank name is
#: refused). Characters: letters, digits, hyphens and underscores, as the DLI console states and CS did.
JOB_NAME_MIN_CHARS = 1
JOB_NAME_MAX_CHARS = 57
JOB_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
#: dli_02_0228 and the SDK's CreateFlinkJarJobRequestBody: "desc ... 0 to 512 characters" (the SDK's SQL
#: job bodies say 2,048; 512 holds for both job kinds).
JOB_DESC_MAX_CHARS = 512
#: SDK (CreateFlinkSqlJobRequestBody.queue_name): "长度限制：1-128个字符" (1 to 128 characters).
QUEUE_NAME_MIN_CHARS = 1
QUEUE_NAME_MAX_CHARS = 128
#: dli_02_0228 and SDK: sql_body "Length range: 1024x1024 characters".
SQL_MAX_CHARS = 1024 * 1024
#: dli_02_0234 (job list, job_config): cu_number "Minimum value: 1, Maximum value: 400".
CU_MIN = 1
CU_MAX = 400
#: dli_02_0234: parallel_number "Minimum value: 1, Maximum value: 2,000".
PARALLELISM_MIN = 1
PARALLELISM_MAX = 2000
#: dli_02_0228: parallelism "cannot be greater than four times the compute units (number of CUs minus
#: the number of JobManager CUs)".
PARALLELISM_PER_CU = 4
#: dli_02_0228: manager_cu_number, "The default value is 1"; at least one CU runs the JobManager and at
#: least one is left for the TaskManagers (the rule above needs cu_number - manager_cu_number >= 1).
MANAGER_CU_MIN = 1
MANAGER_CU_DEFAULT = 1
#: SDK: tm_cus "每个taskmanager的CU数，默认值为1" and tm_slot_num (per TaskManager): positive numbers.
TM_CUS_MIN = 1
TM_SLOT_MIN = 1
#: SDK (CreateFlinkJarJobRequestBody.checkpoint_interval): "取值范围：1-3600" (seconds).
CHECKPOINT_INTERVAL_MIN = 1
CHECKPOINT_INTERVAL_MAX = 3600
#: dli_02_0228: resume_max_num "Value range: -1 or greater than 0" (-1: unlimited).
RESUME_MAX_UNLIMITED = -1
RESUME_MAX_MIN = 1
#: DLI's defaults when a request leaves them out (dli_02_0228): 2 CUs, parallelism 1, 10 s interval.
CU_DEFAULT = 2
PARALLELISM_DEFAULT = 1
CHECKPOINT_INTERVAL_DEFAULT = 10

# --------------------------------------------------------------------------- tags

#: SDK (Tag): key "长度大于等于1且小于等于128", value "长度大于等于1且小于等于255"; dli_02_0245: a key
#: cannot start or end with a space or start with "_sys_", and may hold letters, digits, spaces and
#: _.:=+-@; a value may not hold =*<>\|.
TAG_KEY_MAX_CHARS = 128
TAG_VALUE_MAX_CHARS = 255
TAG_KEY_PATTERN = re.compile(r"^[\w.:=+\-@ ]+$")
TAG_KEY_RESERVED_PREFIX = "_sys_"
TAG_VALUE_FORBIDDEN = frozenset("=*<>\\|")
#: Huawei's tag management service: at most 20 tags on one resource.
TAGS_MAX = 20

# --------------------------------------------------------------------------- templates (D16-D19)

#: dli_02_0245: "A maximum of 100 user templates can be created."
TEMPLATES_MAX = 100
#: dli_02_0245: template name "The value can contain 1 to 64 characters" (the SDK says 0-57: 57 is
#: kept, the stricter).
TEMPLATE_NAME_MIN_CHARS = 1
TEMPLATE_NAME_MAX_CHARS = 57
#: dli_02_0245: template desc "0 to 512 characters" (SDK: 2,048).
TEMPLATE_DESC_MAX_CHARS = 512
#: dli_02_0245 and SDK (create): sql_body "0 to 2,048 characters".
TEMPLATE_SQL_MAX_CHARS = 2048

# --------------------------------------------------------------------------- lists (D5, D16, D22)

#: dli_02_0234: limit "The default value is 10 and the maximum value is 100"; SDK: offset ">= 0".
LIST_LIMIT_MIN = 1
LIST_LIMIT_MAX = 100
LIST_LIMIT_DEFAULT = 10
OFFSET_MIN = 0
#: SDK (ListElasticResourcePoolsRequest.limit): "默认为100" -- the pool list's default and largest page.
POOL_LIST_LIMIT_MAX = 100


def list_page_size(wanted: int) -> int:
    """``wanted`` rows a page, within what DLI's listings take (``LIST_LIMIT_MIN`` to ``LIST_LIMIT_MAX``)."""
    return max(LIST_LIMIT_MIN, min(wanted, LIST_LIMIT_MAX))


# --------------------------------------------------------------------------- batches and paths

#: The most job IDs one batch request (run, stop, delete, metrics, export) may carry. DLI states none;
#: the dashboard sends its batches in pages of this size so that a request stays small.
BATCH_MAX = 100
#: dli_02_0392: savepoint_path "Example: bucket-name/dir/savepoint/" -- an OBS path; DLI states no
#: length, OBS object keys are at most 1,024 characters.
OBS_PATH_MAX_CHARS = 1024
