"""CS errors: the error-code table of reference 7.2 and the exception hierarchy.

``ERROR_CODES`` holds every row of table 7-2 (code, HTTP status, description, solution) as data.
Exceptions are built from responses with :func:`error_from_response`, which understands both error
body forms: section 7.2 (``error_id``/``error_name``/``error_cause``/``error_suggestion``/
``error_time``) and section 3.3 (``error_code``/``error_msg``), also when wrapped in a list or an
``error`` object, and falls back on the HTTP status when the body has neither.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "CSAuthError",
    "CSConflict",
    "CSEndpointRefused",
    "CSError",
    "CSNotFound",
    "CSProtocolError",
    "CSQuotaExceeded",
    "CSRateLimited",
    "CSServerError",
    "CSTimeout",
    "CSTransportError",
    "CSUnavailable",
    "CSValidationError",
    "ERROR_CODES",
    "ERROR_FIELDS",
    "ErrorSpec",
    "TOKEN_EXPIRED_CODES",
    "cap_text",
    "describe",
    "describe_in",
    "error_class_for",
    "error_from_response",
    "parse_error_body",
    "register_error_table",
    "register_error_translations",
]


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One row of table 7-2."""

    code: str
    http_status: int
    description: str
    solution: str


# Table 7-2 "Common error codes" (reference 7.2), every row: (code, HTTP status, description, solution).
_TABLE_7_2: tuple[tuple[str, int, str, str], ...] = (
    (
        "CS.10001",
        400,
        "An internal error occurred on the service.",
        "Submit a service ticket for troubleshooting or try again later.",
    ),
    (
        "CS.10002",
        400,
        "The requested resource is forbidden.",
        "Refer to the Cloud Stream Service API Reference.",
    ),
    (
        "CS.10003",
        400,
        "The requested API is not supported. A complete API contains the API domain name, path, HTTP method, query parameters, request body, request header parameters, path parameters, response status code, response header, response body, and more.",
        "Select a correct API and try again, or check whether the API specifications are met. For details, see the Cloud Stream Service API Reference.",
    ),
    (
        "CS.10004",
        400,
        "The JSON format of the request body is incorrect.",
        "Refer to the Cloud Stream Service API Reference or JSON format specifications.",
    ),
    ("CS.10005", 400, "You have no permission to perform this request.", "Confirm your permissions."),
    (
        "CS.10006",
        400,
        "The project ID in the URL is different from that in the IAM token.",
        "Check whether the project ID in the IAM token is correct.",
    ),
    ("CS.10007", 400, "The IAM token has expired.", "Log in again and re-call this API."),
    ("CS.10008", 400, "There is no token in the request header.", "Add X-Auth-Token to the request header."),
    (
        "CS.10009",
        400,
        "The account is frozen because the account balance is less than 0.",
        "Top up the account.",
    ),
    (
        "CS.10010",
        400,
        "The user ID or project ID does not exist in the IAM token.",
        "Contact technical support.",
    ),
    (
        "CS.10014",
        400,
        "Permission denied or insufficient balance.",
        "Grant the permission to the account or top up the account.",
    ),
    ("CS.10015", 400, "IAM request failed.", "Try again later."),
    (
        "CS.10016",
        400,
        "Real-time authentication is not performed before resource creation.",
        "Complete the real-name authentication.",
    ),
    (
        "CS.11001",
        400,
        "The maximum length of a SQL statement is 10,000 bytes.",
        "Specify a shorter SQL statement.",
    ),
    (
        "CS.11002",
        400,
        "The OBS bucket must be provided if the checkpoint function or OBS is enabled.",
        "Configure checkpoint_obs_bucket in the request.",
    ),
    (
        "CS.11003",
        400,
        "A maximum of 100 jobs in the Draft status are allowed.",
        "Delete unused jobs in the Draft status.",
    ),
    ("CS.11004", 400, "The job name exists.", "Select a new job name."),
    ("CS.11005", 400, "Failed to submit the stream SQL job.", "Submit a service ticket for troubleshooting."),
    ("CS.11006", 400, "The maximum length of a job name is 57 bytes.", "Specify a shorter job name."),
    ("CS.11007", 400, "The job name cannot be left blank.", "Enter a job name."),
    (
        "CS.11008",
        400,
        "Invalid checkpoint_interval setting.",
        "As specified in the Cloud Stream Service API Reference, if checkpointEnabled is set to true, checkpoint_interval cannot be left blank.",
    ),
    (
        "CS.11009",
        400,
        "Invalid checkpoint_mode setting.",
        "As specified in the Cloud Stream Service API Reference, if checkpointEnabled is set to true, checkpoint_mode cannot be left blank.",
    ),
    (
        "CS.11010",
        400,
        "The obs_bucket parameter is not specified.",
        "As specified in the Cloud Stream Service API Reference, if checkpointEnabled is set to true, obs_bucket cannot be left blank.",
    ),
    (
        "CS.11011",
        400,
        "Invalid obs_bucket setting",
        "As specified in the Cloud Stream Service API Reference, if log_enabled is set to true, obs_bucket cannot be left blank.",
    ),
    (
        "CS.11012",
        400,
        "The SPU quantity for a job is beyond the value range.",
        "Set the SPU quantity to a value ranging from 1 to 400.",
    ),
    (
        "CS.11013",
        400,
        "The maximum number of parallel jobs is beyond the value range.",
        "Set the maximum number of parallel jobs to a value ranging from 1 to 50.",
    ),
    (
        "CS.11014",
        400,
        "The maximum length of a job description is 512 bytes.",
        "Specify a shorter job description.",
    ),
    (
        "CS.11015",
        400,
        "A job name consists of letters, digits, underscores (_), and hyphens (-).",
        "Provide a valid job name.",
    ),
    (
        "CS.11016",
        400,
        "Permission to access an OBS bucket has not been granted to CS.",
        "Grant CS the permission to access this OBS bucket.",
    ),
    ("CS.11017", 400, "The uploaded file is not a JAR file.", "Upload a JAR file."),
    (
        "CS.11018",
        400,
        "The main class name of a JAR job includes a maximum of 512 bytes.",
        "Specify a shorter main class name.",
    ),
    (
        "CS.11019",
        400,
        "The main class arguments of a job include a maximum of 1,024 bytes.",
        "Specify shorter main class arguments.",
    ),
    (
        "CS.11020",
        400,
        "The job main class name includes spaces.",
        "Delete the spaces in the job main class name.",
    ),
    ("CS.11021", 400, "The JAR file does not exist.", "Select an available JAR file."),
    (
        "CS.11022",
        400,
        "Parallelism of a job cannot exceed four times of the SPU quantity for the compute unit.",
        "Set Parallelism to be not greater than four times of the SPU quantity for the compute unit.",
    ),
    ("CS.11023", 400, "No edge computing group is specified.", "Specify the edge_group_id parameter."),
    ("CS.11024", 400, "The job type and the running mode mismatch.", "Use the correct running mode."),
    (
        "CS.11025",
        400,
        "Invalid SPU quantity for the management unit.",
        "Enter a valid number of SPUs. Ensure that the number of SPUs for management units is not less than 1 or not greater than the total number of SPUs minus 1 but does not exceed 4.",
    ),
    (
        "CS.11026",
        400,
        "Parameters executor_spu and executor_number must be specified for Spark streaming JAR jobs. Total number of SPUs = executor_spu x executor_number + manager_spu",
        "Provide a valid value.",
    ),
    ("CS.11027", 400, "The value of Executor_spu ranges from 1 to 4.", "Provide a valid value."),
    ("CS.11028", 400, "The value of Executor_num ranges from 1 to 100.", "Provide a valid value."),
    ("CS.11029", 400, "The parameter must be specified.", "Configure the corresponding parameter."),
    ("CS.11030", 400, "The configuration file does not exist.", "Select a valid configuration file."),
    (
        "CS.11031",
        400,
        "The size of the uploaded local file cannot exceed 8 MB.",
        "Upload files to OBS or upload a file not greater than 8 MB.",
    ),
    ("CS.11032", 400, "The SMN topic does not exist.", "Select an existing SMN topic."),
    ("CS.11035", 400, "UDFs cannot be used in the shared cluster.", "Select an exclusive cluster."),
    ("CS.11036", 400, "The idle state retention time ranges from 1s to 60s.", "Provide a valid value."),
    ("CS.11037", 400, "Failed to aggregate job logs.", "Try again later."),
    ("CS.11038", 400, "The log dump function is disabled.", "Enable the function on the job editing page."),
    ("CS.11039", 400, "Invalid dirty data policy.", "Provide a valid dirty data policy."),
    ("CS.11040", 400, "Failed to aggregate user data.", "Try again later."),
    ("CS.11041", 400, "Failed to upload user data.", "Try again later."),
    ("CS.11098", 400, "Failed to obtain the APIG address of the job.", "Try again later."),
    (
        "CS.12001",
        400,
        "Invalid job ID. The job ID must be a digit greater than 0.",
        "Provide a valid job ID, which can be obtained from the CS job list.",
    ),
    ("CS.12002", 400, "Failed to update the Stream SQL statements.", "Check the system and try again."),
    (
        "CS.12003",
        400,
        "Jobs in the Running or Submitting status cannot be updated.",
        "Wait until the job is completed and try again.",
    ),
    ("CS.12004", 400, "The job does not exist.", "Check the reason or create a job."),
    ("CS.12005", 400, "The job cannot be updated.", "Check why the job cannot be updated."),
    ("CS.12006", 400, "The job name already exists.", "Try a new job name."),
    ("CS.13001", 400, "Insufficient quota.", "Contact the administrator to adjust the quota."),
    ("CS.13002", 400, "Insufficient SPUs.", "Contact the administrator to adjust the cluster quota."),
    (
        "CS.13003",
        400,
        "The snapshot or logging function has been enabled, but no OBS bucket is selected.",
        "Select an OBS bucket or disable the snapshot or logging function.",
    ),
    (
        "CS.13004",
        400,
        "Permission to access an OBS bucket has not been granted to CS.",
        "Grant CS the permission to access the OBS bucket or disable the snapshot or logging function.",
    ),
    (
        "CS.13005",
        400,
        "Incorrect SQL syntax.",
        "View error details in the SQL editor and modify the statements.",
    ),
    ("CS.13006", 400, "The job is running or is not allowed to run.", "Check the job status."),
    (
        "CS.13007",
        400,
        "The job ID does not exist.",
        "Provide an available job ID, which can be obtained from the CS job list.",
    ),
    (
        "CS.13008",
        400,
        "An exclusive cluster not in the Running status is selected for running jobs.",
        "Provide an available cluster ID, which can be obtained from the CS cluster list.",
    ),
    ("CS.13009", 400, "User-defined jobs cannot run on the shared cluster.", "Select an exclusive cluster."),
    ("CS.13010", 400, "Exceptions occur during job running.", "Check job logs."),
    (
        "CS.13011",
        400,
        "The user does not have the permission to use the cluster.",
        "Select an available cluster.",
    ),
    ("CS.13012", 400, "Incorrect job type.", "Enter a correct JAR job type."),
    ("CS.13013", 400, "The JAR file does not exist.", "Upload a valid JAR file."),
    (
        "CS.13014",
        400,
        "A job with Kafka as the source or sink stream cannot run on the shared cluster.",
        "Select an exclusive cluster.",
    ),
    (
        "CS.13015",
        400,
        "Incorrect type setting for the source or sink stream.",
        "Enter a correct source/sink stream type.",
    ),
    (
        "CS.13016",
        400,
        "A job with {0} as the source or sink stream cannot run on the shared cluster.",
        "Select an exclusive cluster.",
    ),
    (
        "CS.13017",
        400,
        "The job savepoint does not exist.",
        "Create a job savepoint first. You can choose whether to create the savepoint when stopping a job.",
    ),
    (
        "CS.13018",
        400,
        "No JAR file is contained in the path specified by jar_url.",
        "Ensure that at least a valid JAR file is contained in the path specified by jar_url.",
    ),
    (
        "CS.13019",
        400,
        "The main_class parameter must be specified when there are multiple JAR files in the path specified by jar_url.",
        "Specify the main_class parameter when there are multiple JAR files in the path specified by jar_url.",
    ),
    ("CS.14001", 400, "The job execution graph does not exist.", "Try again later."),
    (
        "CS.15001",
        400,
        "The job ID does not exist.",
        "Provide an available job ID, which can be obtained from the CS job list.",
    ),
    (
        "CS.15002",
        400,
        "You are not allowed to stop the job in the current status.",
        "Refer to the Cloud Stream Service API Reference.",
    ),
    (
        "CS.16001",
        400,
        "The job ID does not exist.",
        "Provide an available job ID, which can be obtained from the CS job list.",
    ),
    (
        "CS.17001",
        400,
        "The job ID does not exist.",
        "Provide an available job ID, which can be obtained from the CS job list.",
    ),
    (
        "CS.18001",
        400,
        "The maximum length of a SQL statement in a template is 10,000 bytes.",
        "Specify a shorter SQL statement.",
    ),
    ("CS.18002", 400, "The template name already exists.", "Select a new template name."),
    ("CS.18003", 400, "A maximum of 100 templates are allowed.", "Delete unused templates."),
    (
        "CS.18004",
        400,
        "The JSON format of the request body is incorrect.",
        "Refer to the Cloud Stream Service API Reference.",
    ),
    ("CS.18005", 400, "The template does not exist.", "Specify an existing template ID."),
    ("CS.18006", 400, "The template name cannot be left blank.", "Specify a template name."),
    (
        "CS.18007",
        400,
        "A template name consists of letters, digits, underscores (_), and hyphens (-).",
        "Provide a valid template name.",
    ),
    (
        "CS.18008",
        400,
        "The template description includes a maximum of 512 bytes.",
        "Specify a shorter template description.",
    ),
    (
        "CS.18009",
        400,
        "The template name includes a maximum of 64 bytes.",
        "Specify a shorter template name.",
    ),
    (
        "CS.19001",
        400,
        "The JSON format of the request body is incorrect.",
        "Refer to the Cloud Stream Service API Reference or JSON format specifications.",
    ),
    (
        "CS.19002",
        400,
        "Failed to authorize OBS bucket {Bucket name}.",
        "Submit a service ticket for troubleshooting.",
    ),
    ("CS.19003", 400, "The bucket to be authorized does not exist.", "Use a correct OBS bucket."),
    (
        "CS.19004",
        400,
        "No OBS bucket name in the request body.",
        "Add the OBS bucket name in JSON array format to the request body.",
    ),
    (
        "CS.19005",
        400,
        "The request contains names of authorized OBS buckets.",
        "Filter out names of authorized OBS buckets.",
    ),
    (
        "CS.19006",
        400,
        "An agency named cloud_stream_agency already exists but is not authorized to CS.",
        "Modify the agency configuration or delete the agency on the IAM console.",
    ),
    ("CS.19007", 400, "No agency is created for CS.", "Create an agency."),
    ("CS.19008", 400, "Failed to create an agency.", "Submit a service ticket for troubleshooting."),
    (
        "CS.19009",
        400,
        "Failed to grant permissions to the agency.",
        "Submit a service ticket for troubleshooting.",
    ),
    ("CS.19010", 400, "Insufficient permissions granted to the agency.", "Proceed to the authorization."),
    ("CS.19011", 400, "Insufficient agency quota.", "Go to the IAM console and delete unused agencies."),
    (
        "CS.20001",
        400,
        "Failed to create a cluster.",
        "Try again later or submit a service ticket for troubleshooting.",
    ),
    (
        "CS.20002",
        400,
        "The JSON format of the request body is incorrect.",
        "Refer to the Cloud Stream Service API Reference or JSON format specifications.",
    ),
    (
        "CS.20003",
        400,
        "A maximum of 400 SPUs can be configured for a cluster.",
        "Reduce the maximum number of SPUs configured for a cluster to 400 or less.",
    ),
    (
        "CS.20004",
        400,
        "The total number of available SPUs for all clusters is {0}.",
        "Reduce the cluster quota to {0} or less.",
    ),
    ("CS.20005", 400, "The cluster does not exist.", "Specify an existing cluster ID."),
    ("CS.20006", 400, "The cluster name exists.", "Select a new cluster name."),
    (
        "CS.20007",
        400,
        "The number {0} of SPUs that have been used by a cluster exceeds the maximum SPU quota.",
        "Specify a value greater than {0} for the maximum SPU quota of the cluster.",
    ),
    ("CS.20008", 400, "The cluster name cannot be left blank.", "Specify a cluster name."),
    (
        "CS.20009",
        400,
        "The maximum length of a cluster name is 100 bytes.",
        "Specify a shorter cluster name.",
    ),
    (
        "CS.20010",
        400,
        "The maximum length of a cluster description is 512 bytes.",
        "Specify a shorter cluster description.",
    ),
    (
        "CS.20011",
        400,
        "A cluster name consists of letters, digits, underscores (_), and hyphens (-).",
        "Provide a valid cluster name.",
    ),
    ("CS.20012", 400, "The SPU quota must be greater than 0.", "Provide an SPU quota greater than 0."),
    ("CS.20013", 400, "The maximum SPU quota is 1,000.", "Reduce the SPU quota to 1,000 or less."),
    (
        "CS.20014",
        400,
        "Insufficient resources.",
        "New cluster resources are being prepared. Try again later.",
    ),
    (
        "CS.20015",
        400,
        "Clusters not in the Running status cannot be modified.",
        "Modify cluster information when it is running.",
    ),
    (
        "CS.20016",
        400,
        "Failed to stop the cluster due to arrears.",
        "Check, on CS Backend, whether it has stopped.",
    ),
    ("CS.20017", 400, "Failed to restore the frozen cluster.", "Manually restore the cluster."),
    (
        "CS.20021",
        400,
        "Check the cluster billing mode and status.",
        "Only pay-per-use clusters in the Stopped or Stopped due to arrears status can be restarted.",
    ),
    ("CS.20022", 400, "Incorrect cluster network configuration.", "Modify the network configuration."),
    (
        "CS.20023",
        400,
        "The manager_node_spu parameter setting is incorrect in the request body.",
        "Use a valid manager_node_spu setting in the request body.",
    ),
    (
        "CS.20024",
        400,
        "Nodes of the specification corresponding to manager_node_spu in the request body have been sold out.",
        "Use a valid manager_node_spu setting in the request body.",
    ),
    (
        "CS.20025",
        400,
        "Compute nodes of the corresponding specifications have been sold out.",
        "Submit a service ticket.",
    ),
    (
        "CS.20026",
        400,
        "This operation cannot be performed on clusters that are not in the Running status.",
        "Check the cluster.",
    ),
    (
        "CS.20027",
        400,
        "The cluster billed on a yearly/monthly basis cannot be manually deleted.",
        "Cancel subscription.",
    ),
    (
        "CS.20028",
        400,
        "The cluster billed on a yearly/monthly basis cannot be manually stopped.",
        "Cancel subscription.",
    ),
    (
        "CS.20029",
        400,
        "The maximum resource quota of a cluster billed on a yearly/monthly basis cannot be modified.",
        "Apply for quota change.",
    ),
    (
        "CS.21001",
        400,
        "Failed to query cluster information.",
        "Try again later or submit a service ticket for troubleshooting.",
    ),
    ("CS.21011", 400, "Failed to delete a cluster.", "Submit a service ticket for troubleshooting."),
    (
        "CS.21031",
        400,
        "Failed to obtain the cluster list due to the incorrect limit parameter setting.",
        "Set the limit parameter to a value greater than 0.",
    ),
    (
        "CS.21091",
        400,
        "The number of used SPUs {0} exceeds the maximum SPU quota.",
        "Specify a value greater than {0} for the maximum SPU quota.",
    ),
    ("CS.21092", 400, "The user ID does not exist.", "Provide a valid user ID."),
    (
        "CS.21095",
        400,
        "Failed to obtain the user quota because the invalid limit parameter setting.",
        "Set the limit parameter to a value greater than 0.",
    ),
    ("CS.21999", 400, "Failed to update the SPU quota.", "Check the failure cause."),
    (
        "CS.22001",
        400,
        "Incorrect IP address or domain name format.",
        "Provide a correct IP address and domain name.",
    ),
    (
        "CS.22002",
        400,
        "The IP address or domain name already exists.",
        "Ensure that the domain name is unique and the IP address and domain name cannot be the same as those of the cluster node.",
    ),
    ("CS.22003", 400, "The domain name ID does not exist.", "Provide a correct domain name ID."),
    (
        "CS.22004",
        400,
        "Incorrect hosts file format.",
        'Ensure that each line in the file is in the "ip hostname" format. If an IP address corresponds to multiple domain names, the line can be in the "ip hostname1 hostname2" format.',
    ),
    ("CS.22005", 400, "The hosts file is empty.", "Provide a correct file."),
    (
        "CS.22006",
        400,
        "The size of the hosts file exceeds the upper limit.",
        "Ensure that the size of the hosts file is not greater than 8 MB.",
    ),
    ("CS.22007", 400, "The number of IP-domain mappings exceeds 1,000.", "Delete unused IP-domain mappings."),
    ("CS.22101", 400, "The VPC ID does not exist.", "Provide a correct VPC ID."),
    (
        "CS.22102",
        400,
        "A conflict occurs during the creation of a VPC peering connection.",
        "Provide valid parameters.",
    ),
    (
        "CS.22103",
        400,
        "The ID of the VPC peering connection does not exist.",
        "Provide a valid VPC peering connection ID.",
    ),
    (
        "CS.22104",
        400,
        "The destination parameter in the request body is not set.",
        "Set the destination parameter in the request body.",
    ),
    (
        "CS.22105",
        400,
        "The VPC peering connection is not in the ACTIVE state.",
        "Check the status of the VPC peering connection. If it is in the Awaiting Acceptance state, accept the request and try again.",
    ),
    (
        "CS.22106",
        400,
        "A conflict occurs when a route is created due to invalid parameters.",
        "Provide valid parameters.",
    ),
    ("CS.22107", 400, "The route ID does not exist.", "Provide a correct route ID."),
    (
        "CS.22108",
        400,
        "The name parameter is missing in the request body.",
        "Add the name parameter to the request body.",
    ),
    (
        "CS.23003",
        400,
        "Failed to query the job list due to the incorrect root_job_id parameter setting.",
        "Set the root_job_id parameter to a value greater than 0.",
    ),
    ("CS.24001", 400, "A maximum of 50 audit logs can be queried.", "Query 50 or less audit logs."),
    (
        "CS.24002",
        400,
        "The resource type of the audit log is job, template, or cluster.",
        "Use the correct resource type.",
    ),
    ("CS.24003", 400, "No tracker is found.", "Enable CTS."),
    (
        "CS.24010",
        400,
        "Failed to query audit logs.",
        "Try again later or submit a service ticket for troubleshooting.",
    ),
    ("CS.25001", 400, "Failed to query CS overview statistics.", "Try again later."),
    ("CS.25003", 400, "Failed to query historical billing information.", "Try again later."),
    (
        "CS.26500",
        400,
        "An internal error occurred on the service.",
        "Submit a service ticket for troubleshooting or try again later.",
    ),
)

ERROR_CODES: dict[str, ErrorSpec] = {row[0]: ErrorSpec(*row) for row in _TABLE_7_2}

#: The field a documented code is about, by the dashboard's form field names (the request's own names
#: but ``jar`` for the uploaded file and ``dirty_data_kind`` for the dirty-data strategy): CS's answer
#: is shown on that field of whichever form has it, above the form otherwise.
ERROR_FIELDS: dict[str, str] = {
    "CS.11001": "sql_body",
    "CS.11004": "name",
    "CS.11006": "name",
    "CS.11007": "name",
    "CS.11008": "checkpoint_interval",
    "CS.11009": "checkpoint_mode",
    "CS.11010": "obs_bucket",
    "CS.11011": "obs_bucket",
    "CS.11012": "spu_number",
    "CS.11013": "parallel_number",
    "CS.11014": "desc",
    "CS.11015": "name",
    "CS.11016": "obs_bucket",
    "CS.11017": "jar",
    "CS.11018": "main_class",
    "CS.11019": "args",
    "CS.11020": "main_class",
    "CS.11021": "jar_url",
    "CS.11022": "parallel_number",
    "CS.11023": "edge_group_ids",
    "CS.11024": "run_mode",
    "CS.11025": "manager_spu",
    "CS.11026": "executor_number",
    "CS.11027": "executor_spu",
    "CS.11028": "executor_number",
    "CS.11030": "config_url",
    "CS.11031": "jar",
    "CS.11032": "smn_topic",
    "CS.11035": "udf_jar_url",
    "CS.11036": "idle_state_retention",
    "CS.11039": "dirty_data_kind",
    "CS.13001": "spu_number",
    "CS.13002": "spu_number",
    "CS.13003": "obs_bucket",
    "CS.13004": "obs_bucket",
    "CS.13005": "sql_body",
    "CS.13008": "cluster_id",
    "CS.13009": "cluster_id",
    "CS.13011": "cluster_id",
    "CS.13012": "job_type",
    "CS.13013": "jar_url",
    "CS.13014": "run_mode",
    "CS.13016": "run_mode",
    "CS.13018": "jar_url",
    "CS.13019": "main_class",
    "CS.18001": "sql_body",
    "CS.18002": "name",
    "CS.18006": "name",
    "CS.18007": "name",
    "CS.18008": "desc",
    "CS.18009": "name",
    "CS.20003": "maximum_spu_quota",
    "CS.20004": "maximum_spu_quota",
    "CS.20006": "name",
    "CS.20007": "maximum_spu_quota",
    "CS.20008": "name",
    "CS.20009": "name",
    "CS.20010": "desc",
    "CS.20011": "name",
    "CS.20012": "maximum_spu_quota",
    "CS.20013": "spu_quota",
    "CS.20022": "vpc_cidr",
    "CS.20023": "manager_node_spec",
    "CS.21091": "spu_quota",
    "CS.21092": "spu_quota",
    "CS.22001": "hostname",
    "CS.22002": "hostname",
    "CS.22004": "hosts_file",
    "CS.22005": "hosts_file",
    "CS.22006": "hosts_file",
    "CS.22007": "hosts_file",
    "CS.22101": "vpc_id",
    "CS.22102": "name",
    "CS.22104": "destination",
    "CS.22106": "destination",
    "CS.22108": "name",
}

#: Codes the dashboard acts on by name.
OBS_NOT_AUTHORIZED: frozenset[str] = frozenset({"CS.11016", "CS.13004"})  # offer to authorize the bucket
OBS_ALREADY_AUTHORIZED = "CS.19005"  # granting rights CS already has is no failure


#: Error tables of the other services the clients speak (DLI), by code prefix: each service's table
#: is defined in its own module and registered here, so that :func:`describe`, :func:`error_class_for`
#: and every ``CSError`` read one table per service (see :func:`register_error_table`).
_SERVICE_TABLES: dict[str, tuple[Mapping[str, ErrorSpec], Mapping[str, type[CSError]]]] = {}


def register_error_table(
    prefix: str, specs: Mapping[str, ErrorSpec], classes: Mapping[str, type[CSError]]
) -> None:
    """Make another service's documented codes (``"DLI.0001"``) known to the CS error machinery.

    ``prefix`` is the code's service prefix (``"DLI"``); ``classes`` maps a code to the exception
    class raised for it. Registering a prefix again replaces its table.
    """
    _SERVICE_TABLES[prefix.upper()] = (specs, classes)


def _service_table(code: str) -> tuple[Mapping[str, ErrorSpec], Mapping[str, type[CSError]]] | None:
    prefix = code.split(".", 1)[0].upper()
    return _SERVICE_TABLES.get(prefix) if prefix != "CS" else None


def _normalize_code(code: Any) -> str:
    text = str(code or "").strip()
    # The reference's typesetting splits some codes ("CS. 11010"); accept that spelling too.
    if text.upper().startswith("CS") or _service_table(text.replace(" ", "")) is not None:
        return text.replace(" ", "").upper()
    return text


def describe(code: str | None) -> ErrorSpec | None:
    """The documented entry for ``code`` (``"CS.11004"``: table 7-2; ``"DLI.0001"``: DLI's table),
    or ``None`` when it is not documented."""
    if not code:
        return None
    normal = _normalize_code(code)
    found = ERROR_CODES.get(normal)
    if found is None:
        table = _service_table(normal)
        if table is not None:
            found = table[0].get(normal)
    return found


# ------------------------------------------------------------------------ other languages
#: Descriptions and solutions in other languages than the reference's English: language -> code ->
#: (description, solution). Each service's module registers its own rows
#: (:func:`register_error_translations`); :func:`describe_in` reads them.
_TRANSLATIONS: dict[str, dict[str, tuple[str, str]]] = {}


def _language_key(language: str | None) -> str:
    """``"zh-hans"``, ``"zh_Hans"``, ``"zh-CN"`` and ``"zh"`` are one catalogue; anything else is English."""
    text = (language or "").replace("_", "-").lower()
    if text == "zh" or text.startswith(("zh-hans", "zh-cn", "zh-sg")):
        return "zh-hans"
    return "en"


def register_error_translations(language: str, rows: Mapping[str, tuple[str, str]]) -> None:
    """Add ``rows`` (code -> (description, solution)) in ``language`` to the known error texts."""
    _TRANSLATIONS.setdefault(_language_key(language), {}).update(
        {_normalize_code(code): pair for code, pair in rows.items()}
    )


def describe_in(code: str | None, language: str | None) -> ErrorSpec | None:
    """The documented entry for ``code`` with its description and solution in ``language``
    (``"en"``, ``"zh-hans"``; the reference's English where a language has no row), or ``None``."""
    spec = describe(code)
    if spec is None:
        return None
    key = _language_key(language)
    if key == "en":
        return spec
    found = _TRANSLATIONS.get(key, {}).get(spec.code)
    if found is None:
        return spec
    return ErrorSpec(spec.code, spec.http_status, found[0], found[1])


# --------------------------------------------------------------------------- exceptions


class CSError(Exception):
    """An error answered by CS, or a failure to get an answer from it.

    Attributes: ``http_status``, ``code`` (``error_id`` or ``error_code``), ``name`` (``error_name``),
    ``cause`` (``error_cause`` / ``error_msg``), ``suggestion`` (``error_suggestion``),
    ``description`` and ``solution`` (table 7-2), ``method``, ``url`` (without query string or
    credentials), ``request_id``, ``retry_after`` (seconds), ``error_time`` and ``body`` (the parsed
    error body).
    """

    default_message = "CS request failed"
    #: The service that answered, or failed to: "CS", or "DLI" for errors of :mod:`csapi.dli`.
    service = "CS"

    def __init__(
        self,
        message: str | None = None,
        *,
        http_status: int | None = None,
        code: str | None = None,
        name: str | None = None,
        cause: str | None = None,
        suggestion: str | None = None,
        method: str | None = None,
        url: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        error_time: Any = None,
        body: Any = None,
    ) -> None:
        self.http_status = http_status
        self.code = _normalize_code(code) if code else None
        self.name = name
        self.cause = cause
        self.suggestion = suggestion
        spec = describe(self.code)
        self.spec = spec
        self.description = spec.description if spec else None
        self.solution = spec.solution if spec else None
        self.method = method.upper() if method else None
        self.url = safe_url(url) if url else None
        self.request_id = request_id
        self.retry_after = retry_after
        self.error_time = error_time
        self.body = body
        self.message = message
        super().__init__(str(self))

    @property
    def error_id(self) -> str | None:
        return self.code

    def __str__(self) -> str:
        parts: list[str] = []
        if self.code:
            parts.append(self.code)
        elif self.http_status:
            parts.append(f"HTTP {self.http_status}")
        head = self.message or self.description or self.default_message
        if self.cause and self.cause != head:
            head = f"{head.rstrip('.')}: {self.cause}"
        parts.append(head)
        text = " ".join(parts)
        advice = self.suggestion or self.solution
        if advice:
            text = f"{text.rstrip('.')}. Solution: {advice}"
        if self.method and self.url:
            text = f"{text} [{self.method} {self.url}]"
        if self.request_id:
            text = f"{text} (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(http_status={self.http_status!r}, code={self.code!r}, "
            f"method={self.method!r}, url={self.url!r})"
        )

    def __reduce__(self):  # keep exceptions picklable (Celery results, multiprocessing)
        state = dict(self.__dict__)
        return (_rebuild_error, (type(self), state))

    @classmethod
    def from_response(cls, response: Any, method: str | None = None, url: str | None = None) -> CSError:
        """Build the most specific :class:`CSError` subclass for a ``requests`` response."""
        return error_from_response(response, method, url)


def _rebuild_error(klass: type[CSError], state: dict[str, Any]) -> CSError:
    err = klass.__new__(klass)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


class CSAuthError(CSError):
    """Authentication or authorization failed (HTTP 401/403, token and permission codes)."""

    default_message = "CS authentication failed"


class CSNotFound(CSError):
    """The job, template, cluster, user, host mapping, peering or route does not exist."""

    default_message = "CS resource not found"


class CSValidationError(CSError):
    """CS rejected the request's parameters (HTTP 400 parameter errors)."""

    default_message = "CS rejected the request parameters"


class CSConflict(CSError):
    """The request conflicts with the resource's state (name taken, job already running, ...)."""

    default_message = "CS request conflicts with the resource state"


class CSQuotaExceeded(CSError):
    """A quota or capacity limit was reached (SPUs, templates, drafts, host mappings, ...)."""

    default_message = "CS quota exceeded"


class CSRateLimited(CSError):
    """HTTP 429: too many requests; ``retry_after`` says how long to wait."""

    default_message = "CS rate limit reached"


class CSServerError(CSError):
    """CS failed on its side (HTTP 5xx, or a documented internal failure code)."""

    default_message = "CS server error"


class CSTransportError(CSError):
    """No usable answer came back from CS."""

    default_message = "CS transport error"


class CSTimeout(CSTransportError):
    """The connection or the read timed out."""

    default_message = "CS request timed out"


class CSUnavailable(CSTransportError):
    """CS could not be reached (connection refused or reset, DNS failure, ...)."""

    default_message = "CS is unavailable"


class CSProtocolError(CSTransportError):
    """CS answered with something that is not the expected JSON (non-JSON, truncated body)."""

    default_message = "CS answered with an unreadable response"


class CSEndpointRefused(CSError):
    """The dashboard refused to send a request there (:mod:`csapi.netguard`): nothing was sent.

    The endpoint is not https, carries user info, a query or a path, or its host resolves to a
    loopback, private, link-local, multicast or reserved address that the administrator did not allow.
    """

    default_message = "The dashboard does not send requests to this endpoint"


#: Codes that mean the token is no longer valid: the client re-authenticates once and retries.
TOKEN_EXPIRED_CODES: frozenset[str] = frozenset({"CS.10007"})

_AUTH_CODES = ("10002", "10005", "10006", "10007", "10008", "10009", "10010", "10014", "10016")
_NOT_FOUND_CODES = (
    "10003",
    "11021",
    "11030",
    "11032",
    "12004",
    "13007",
    "13013",
    "13017",
    "13018",
    "14001",
    "15001",
    "16001",
    "17001",
    "18005",
    "19003",
    "19007",
    "20005",
    "21092",
    "22003",
    "22101",
    "22103",
    "22107",
    "24003",
)
_CONFLICT_CODES = (
    "11004",
    "12003",
    "12005",
    "12006",
    "13006",
    "13008",
    "15002",
    "18002",
    "19005",
    "19006",
    "20006",
    "20015",
    "20021",
    "20026",
    "20027",
    "20028",
    "20029",
    "22002",
    "22102",
    "22105",
    "22106",
)
_QUOTA_CODES = (
    "11003",
    "13001",
    "13002",
    "18003",
    "19011",
    "20004",
    "20007",
    "20014",
    "20024",
    "20025",
    "21091",
    "22007",
)
_SERVER_CODES = (
    "10001",
    "10015",
    "11005",
    "11037",
    "11040",
    "11041",
    "11098",
    "12002",
    "19002",
    "19008",
    "19009",
    "20001",
    "20016",
    "20017",
    "21001",
    "21011",
    "21999",
    "24010",
    "25001",
    "25003",
    "26500",
)

#: Table 7-2 code -> the exception class raised for it. Codes not listed are CSValidationError
#: (every row of table 7-2 is an HTTP 400 answer); undocumented codes fall back on the HTTP status.
CODE_CLASSES: dict[str, type[CSError]] = {}
for _codes, _klass in (
    (_AUTH_CODES, CSAuthError),
    (_NOT_FOUND_CODES, CSNotFound),
    (_CONFLICT_CODES, CSConflict),
    (_QUOTA_CODES, CSQuotaExceeded),
    (_SERVER_CODES, CSServerError),
):
    for _c in _codes:
        CODE_CLASSES[f"CS.{_c}"] = _klass
for _code in ERROR_CODES:
    CODE_CLASSES.setdefault(_code, CSValidationError)
del _codes, _klass, _c, _code


def _class_for_status(status: int | None) -> type[CSError]:
    if status is None:
        return CSError
    if status in (401, 403, 407):
        return CSAuthError
    if status in (404, 410):
        return CSNotFound
    if status == 409:
        return CSConflict
    if status == 429:
        return CSRateLimited
    if status >= 500:
        return CSServerError
    if status in (400, 405, 411, 413, 414, 415, 422):
        return CSValidationError
    return CSError


def error_class_for(code: str | None, http_status: int | None) -> type[CSError]:
    """The exception class for an error ``code`` answered with ``http_status``.

    HTTP 429 is always :class:`CSRateLimited` and HTTP 401 always :class:`CSAuthError`; otherwise a
    documented code decides, then the HTTP status.
    """
    if http_status == 429:
        return CSRateLimited
    if http_status == 401:
        return CSAuthError
    if code:
        normal = _normalize_code(code)
        klass = CODE_CLASSES.get(normal)
        if klass is None:
            table = _service_table(normal)
            klass = table[1].get(normal) if table is not None else None
        if klass is not None:
            return klass
    return _class_for_status(http_status)


# --------------------------------------------------------------------------- body parsing

_CODE_KEYS = ("error_id", "error_code", "errorCode", "code", "message_id")
_CAUSE_KEYS = ("error_cause", "error_msg", "errorMsg", "error_message", "message", "msg")


def _find_error_object(body: Any, depth: int = 0) -> Mapping[str, Any] | None:
    """The mapping that carries the error fields, looking into lists and ``error`` wrappers."""
    if depth > 3:
        return None
    if isinstance(body, list):
        for item in body:
            found = _find_error_object(item, depth + 1)
            if found is not None:
                return found
        return None
    if not isinstance(body, Mapping):
        return None
    if any(k in body for k in ("error_id", "error_code", "errorCode", "error_msg", "error_cause")):
        return body
    for key in ("error", "errors", "payload", "data"):
        if key in body:
            found = _find_error_object(body[key], depth + 1)
            if found is not None:
                return found
    if "code" in body and ("message" in body or "title" in body):
        return body  # {"code": ..., "message": ...} used by some gateways
    if "message_id" in body and str(body.get("message_id", "")).startswith("CS."):
        return body
    return None


def parse_error_body(body: Any) -> dict[str, Any]:
    """Extract code, name, cause, suggestion and time from a parsed error body (either form)."""
    obj = _find_error_object(body)
    if obj is None:
        return {}
    out: dict[str, Any] = {}
    for key in _CODE_KEYS:
        value = obj.get(key)
        if value not in (None, ""):
            out["code"] = str(value)
            break
    for key in _CAUSE_KEYS:
        value = obj.get(key)
        if value not in (None, ""):
            out["cause"] = value if isinstance(value, str) else json.dumps(value)
            break
    if obj.get("error_name"):
        out["name"] = str(obj["error_name"])
    if obj.get("error_suggestion"):
        out["suggestion"] = str(obj["error_suggestion"])
    if obj.get("error_time") is not None:
        out["error_time"] = obj["error_time"]
    return out


def parse_retry_after(value: Any) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        import datetime as _dt

        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.UTC)
        seconds = (when - _dt.datetime.now(_dt.UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def safe_url(url: str) -> str:
    """``url`` without user info, query string and fragment (they may carry secrets)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable url>"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_REQUEST_ID_HEADERS = ("X-Request-Id", "X-Openstack-Request-Id", "X-Iam-Trace-Id", "X-Trace-Id")


def request_id_of(headers: Mapping[str, str] | None) -> str | None:
    if not headers:
        return None
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def error_from_response(response: Any, method: str | None = None, url: str | None = None) -> CSError:
    """Build the most specific :class:`CSError` for an error ``response`` (a ``requests`` response).

    ``method``/``url`` default to the response's request; the URL is stored without its query string.
    """
    status = getattr(response, "status_code", None)
    req = getattr(response, "request", None)
    if method is None and req is not None:
        method = getattr(req, "method", None)
    if url is None:
        url = getattr(req, "url", None) or getattr(response, "url", None)
    headers = getattr(response, "headers", None) or {}
    try:
        content = response.content
    except Exception:  # noqa: BLE001 - a broken stream is just an unreadable body
        content = b""
    body: Any = None
    if content:
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            body = content[:2000].decode("utf-8", "replace")
    fields = parse_error_body(body)
    code = fields.get("code")
    klass = error_class_for(code, status)
    # Only a documented error body speaks for itself; anything else is described by its HTTP status,
    # never echoed (an endpoint that is not CS must not be read back through error messages).
    return klass(
        None,
        http_status=status,
        code=code,
        name=cap_text(fields.get("name")),
        cause=cap_text(fields.get("cause")),
        suggestion=cap_text(fields.get("suggestion")),
        error_time=fields.get("error_time"),
        method=method,
        url=url,
        request_id=cap_text(request_id_of(headers), 128),
        retry_after=parse_retry_after(headers.get("Retry-After")),
        body=fields or None,
    )


#: The most characters of the cloud's own words (cause, suggestion) kept in an error.
CLOUD_TEXT_MAX = 300


def cap_text(value: Any, limit: int = CLOUD_TEXT_MAX) -> str | None:
    if value in (None, ""):
        return None
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _register_own_translations() -> None:
    from csapi.errors_zh import ZH_HANS

    register_error_translations("zh-hans", ZH_HANS)


_register_own_translations()
