"""Every numeric and textual limit the CS API reference states, defined once.

Each constant cites where the reference states it (section, table or error code of table 7-2).
Byte limits count UTF-8 bytes (use :func:`utf8_len`). Where the reference gives no limit for a field
(tags, enterprise project IDs, OBS paths, checkpoint interval upper bound, ...), none is defined.
"""

from __future__ import annotations

import re
from datetime import timedelta

# --------------------------------------------------------------------------- jobs

#: CS.11006: "The maximum length of a job name is 57 bytes."
JOB_NAME_MAX_BYTES = 57
#: CS.11007: "The job name cannot be left blank."
JOB_NAME_MIN_BYTES = 1
#: CS.11015: "A job name consists of letters, digits, underscores (_), and hyphens (-)."
#: (The walkthrough in section 4 sends "my job" with a space; table 7-2 is the rule applied.)
JOB_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
#: CS.11014: "The maximum length of a job description is 512 bytes."
JOB_DESC_MAX_BYTES = 512
#: CS.11001: "The maximum length of a SQL statement is 10,000 bytes."
SQL_MAX_BYTES = 10_000
#: CS.11003: "A maximum of 100 jobs in the Draft status are allowed."
DRAFT_JOBS_MAX = 100
#: CS.11012: "Set the SPU quantity to a value ranging from 1 to 400."
SPU_MIN = 1
SPU_MAX = 400
#: CS.11013: "Set the maximum number of parallel jobs to a value ranging from 1 to 50."
PARALLELISM_MIN = 1
PARALLELISM_MAX = 50
#: CS.11022: "Parallelism of a job cannot exceed four times of the SPU quantity".
PARALLELISM_PER_SPU = 4
#: CS.11025: management unit SPUs "not less than 1 or not greater than the total number of SPUs
#: minus 1 but does not exceed 4" (manager_spu of 5.1.7).
MANAGER_SPU_MIN = 1
MANAGER_SPU_MAX = 4
#: CS.11027: "The value of Executor_spu ranges from 1 to 4."
EXECUTOR_SPU_MIN = 1
EXECUTOR_SPU_MAX = 4
#: CS.11028: "The value of Executor_num ranges from 1 to 100."
EXECUTOR_NUMBER_MIN = 1
EXECUTOR_NUMBER_MAX = 100
#: CS.11031: "The size of the uploaded local file cannot exceed 8 MB." (jar and config of 5.1.7/5.1.8)
UPLOAD_MAX_BYTES = 8 * 1024 * 1024
#: CS.11018: "The main class name of a JAR job includes a maximum of 512 bytes."
MAIN_CLASS_MAX_BYTES = 512
#: CS.11020: "The job main class name includes spaces." (spaces are not allowed)
MAIN_CLASS_PATTERN = re.compile(r"^\S+$")
#: CS.11019: "The main class arguments of a job include a maximum of 1,024 bytes."
ARGS_MAX_BYTES = 1024
#: CS.11036: "The idle state retention time ranges from 1s to 60s." (idle_state_retention, seconds;
#: the examples of 5.1.5 / 5.1.6 send 0, which leaves it unset)
IDLE_STATE_RETENTION_MIN = 1
IDLE_STATE_RETENTION_MAX = 60
IDLE_STATE_RETENTION_UNSET = 0
#: CS.11008: checkpoint_interval (seconds, 5.1.5) must be given when checkpointing is enabled;
#: the reference states no upper bound.
CHECKPOINT_INTERVAL_MIN = 1
#: CS.12001: "The job ID must be a digit greater than 0."
JOB_ID_MIN = 1
#: CS.23003: root_job_id must be "a value greater than 0".
ROOT_JOB_ID_MIN = 1

# --------------------------------------------------------------------------- templates

#: 5.2.1 and CS.18003: "A maximum of 100 templates are allowed."
TEMPLATES_MAX = 100
#: CS.18009: "The template name includes a maximum of 64 bytes."
TEMPLATE_NAME_MAX_BYTES = 64
#: CS.18006: "The template name cannot be left blank."
TEMPLATE_NAME_MIN_BYTES = 1
#: CS.18007: "A template name consists of letters, digits, underscores (_), and hyphens (-)."
TEMPLATE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
#: CS.18008: "The template description includes a maximum of 512 bytes."
TEMPLATE_DESC_MAX_BYTES = 512
#: CS.18001: "The maximum length of a SQL statement in a template is 10,000 bytes."
TEMPLATE_SQL_MAX_BYTES = 10_000

# --------------------------------------------------------------------------- clusters and quotas

#: CS.20008: "The cluster name cannot be left blank."
CLUSTER_NAME_MIN_BYTES = 1
#: CS.20009: "The maximum length of a cluster name is 100 bytes."
CLUSTER_NAME_MAX_BYTES = 100
#: CS.20011: "A cluster name consists of letters, digits, underscores (_), and hyphens (-)."
CLUSTER_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
#: CS.20010: "The maximum length of a cluster description is 512 bytes."
CLUSTER_DESC_MAX_BYTES = 512
#: CS.20012: "The SPU quota must be greater than 0." (maximum_spu_quota)
CLUSTER_SPU_QUOTA_MIN = 1
#: CS.20003: "A maximum of 400 SPUs can be configured for a cluster."
CLUSTER_SPU_QUOTA_MAX = 400
#: CS.20013: "The maximum SPU quota is 1,000." (user SPU quota, 5.3.14-5.3.16; the 5.3.14 example
#: shows spu_quota 1000)
USER_SPU_QUOTA_MIN = 0  # not stated; a quota of 0 lets the user run nothing
USER_SPU_QUOTA_MAX = 1000
#: CS.22102 (5.3.17): "The VPC peering connection name is longer than 64 bytes."
PEERING_NAME_MAX_BYTES = 64
#: CS.22007: "The number of IP-domain mappings exceeds 1,000."
HOST_MAPPINGS_MAX = 1000
#: CS.22006: "Ensure that the size of the hosts file is not greater than 8 MB."
HOSTS_FILE_MAX_BYTES = 8 * 1024 * 1024
#: Not CS's: a hosts file check stops after this many bad lines, and quotes at most this many
#: characters of a line, so that a hostile file costs bounded time and memory to refuse.
HOSTS_FILE_MAX_ERRORS = 20
ERROR_EXCERPT_CHARS = 60

#: Not CS's: the most a JAR's manifest may unpack to, and the most an entry the dashboard reads may
#: expand over its compressed size (a manifest is a few hundred bytes; a zip bomb's is gigabytes).
JAR_MANIFEST_MAX_BYTES = 64 * 1024
ZIP_ENTRY_MAX_RATIO = 100

# --------------------------------------------------------------------------- lists and audit logs

#: CS.21031 / CS.21095: list ``limit`` must be "a value greater than 0".
LIST_LIMIT_MIN = 1
#: 5.3.4 table 5-99: cluster list ``limit`` "The default value is 10."
CLUSTER_LIST_LIMIT_DEFAULT = 10
#: 5.3.8 table 5-115: cluster job list ``limit`` "The default value is 20."
CLUSTER_JOBS_LIMIT_DEFAULT = 20
#: The reference gives no default for the other lists; the client asks for pages of this size.
LIST_PAGE_SIZE_DEFAULT = 20
#: 5.1.14 table 5-47 and CS.24001: "A maximum of 50 audit logs can be queried."
AUDIT_LIMIT_MIN = 1
AUDIT_LIMIT_MAX = 50
#: 5.1.14: page_number is a page number; pages are counted from 1.
AUDIT_PAGE_NUMBER_MIN = 1

# --------------------------------------------------------------------------- authentication

#: 3.2: "The validity period of a token is 24 hours."
TOKEN_LIFETIME = timedelta(hours=24)
#: 3.2: "AK/SK-based authentication supports API requests with a body not larger than 12 MB."
AKSK_BODY_MAX_BYTES = 12 * 1024 * 1024


def utf8_len(text: str | None) -> int:
    """Length of ``text`` in UTF-8 bytes (the unit of every text limit above)."""
    return len(text.encode("utf-8")) if text else 0


def max_parallelism(spu_number: int) -> int:
    """The largest parallel_number allowed for ``spu_number`` SPUs (CS.11013, CS.11022)."""
    return min(PARALLELISM_MAX, PARALLELISM_PER_SPU * spu_number)


def max_manager_spu(total_spu: int) -> int:
    """The largest manager_spu allowed for a job with ``total_spu`` SPUs (CS.11025)."""
    return max(MANAGER_SPU_MIN, min(MANAGER_SPU_MAX, total_spu - 1))
