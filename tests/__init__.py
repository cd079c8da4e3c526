"""The tests, mirroring the layers; helper modules get pytest's assertion rewriting."""

import pytest

# Helper modules assert too: give their failures pytest's detailed messages.
pytest.register_assert_rewrite(
    "tests.support",
    "tests.analytics.pipeline_helpers",
    "tests.models.lifecycle_helpers",
    "tests.models.rules_helpers",
    "tests.models.stage_helpers",
    "tests.reads.lists_helpers",
    "tests.reads.relations_helpers",
    "tests.reads.scoping_helpers",
)
