"""The backend-independent conformance tests, imported and run on every backend pair.

Lifecycle, the official SDK end to end, auth and isolation, idempotency and TTL. (Tests that
complete an object without uploading anything stay on the directory backend: on S3 that is
refused, see test_s3.py.)
"""

from __future__ import annotations

from tests.server.test_conformance import (
    test_create_200_has_upload_url_and_exact_fields,
    test_delete_200_401_404,
    test_download_200_400_401_404,
    test_get_200_401_404,
    test_list_200_and_401,
    test_list_public_200_and_401,
    test_metadata_keys_and_values_200_400,
)
from tests.server.test_lifecycle import (
    test_create_is_idempotent_per_request_id,
    test_delete_while_uploading_and_empty_upload,
    test_list_state_deleted,
    test_metadata_keys_with_slashes_and_unicode,
    test_metadata_over_live_objects_only,
)
from tests.server.test_sdk import (
    sdk_client,
    test_async_sdk,
    test_high_level_sdk_helpers,
    test_sdk_errors_map_to_sdk_exceptions,
    test_sdk_full_flow,
)
from tests.server.test_security import (
    test_a_public_object_is_readable_by_every_account_but_managed_by_its_owner,
    test_accounts_are_isolated,
    test_list_public_spans_accounts_but_only_public,
)

__all__ = [
    "sdk_client",
    "test_a_public_object_is_readable_by_every_account_but_managed_by_its_owner",
    "test_accounts_are_isolated",
    "test_async_sdk",
    "test_create_200_has_upload_url_and_exact_fields",
    "test_create_is_idempotent_per_request_id",
    "test_delete_200_401_404",
    "test_delete_while_uploading_and_empty_upload",
    "test_download_200_400_401_404",
    "test_get_200_401_404",
    "test_high_level_sdk_helpers",
    "test_list_200_and_401",
    "test_list_public_200_and_401",
    "test_list_public_spans_accounts_but_only_public",
    "test_list_state_deleted",
    "test_metadata_keys_and_values_200_400",
    "test_metadata_keys_with_slashes_and_unicode",
    "test_metadata_over_live_objects_only",
    "test_sdk_errors_map_to_sdk_exceptions",
    "test_sdk_full_flow",
]
