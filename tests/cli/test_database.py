"""touchcredit.cli.database: the [outputs] database keys of a pipeline file, checked."""

from __future__ import annotations

from typing import Any

import pytest

from touchcredit.cli.common import UsageError
from touchcredit.cli.database import TABLE_KEYS, Database, spec, write

URI = "postgresql://analyst@warehouse/marketing"


def test_no_database_keys_is_none() -> None:
    assert spec({"directory": "out", "credit": "credit.csv"}, "p.toml") is None


def test_a_full_spec() -> None:
    got = spec(
        {"directory": "out", "database": URI, "database_mode": "append",
         "credit_table": "analytics.credit", "leads_table": "leads"},
        "p.toml",
    )  # fmt: skip
    assert got == Database(URI, "append", {"credit": "analytics.credit", "leads": "leads"})


def test_mode_defaults_to_replace() -> None:
    got = spec({"database": URI, "kpis_table": "kpis"}, "p.toml")
    assert got is not None and got.mode == "replace" and got.tables == {"kpis": "kpis"}


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({"database": "warehouse.csv", "credit_table": "c"}, "expected a postgresql:// URI"),
        ({"credit_table": "c"}, "expected a postgresql:// URI, got None"),
        ({"database": URI, "database_mode": "upsert", "credit_table": "c"}, "'upsert'"),
        ({"database": URI}, "database needs at least one of credit_table, kpis_table"),
    ],
)
def test_errors_name_the_file_and_key(outputs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as err:
        spec(outputs, "p.toml")
    assert str(err.value).startswith("p.toml [outputs]")
    assert message in str(err.value)


def test_write_refuses_a_table_for_an_output_not_made() -> None:
    db = Database(URI, "replace", {"leads": "leads"})
    with pytest.raises(UsageError, match=r"leads_table: this pipeline makes no leads output"):
        write(db, {"credit": dict}, "p.toml")


def test_every_table_key_names_an_output() -> None:
    assert {k.removesuffix("_table") for k in TABLE_KEYS} == set(TABLE_KEYS.values())
