# Copyright 2026 aftersales_service authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Failure counts per month and analysis keys, kept by the database itself.

``aftersales_defect_stat`` holds one row per (company, month, product, category, component,
component lot, supplier, four codes, age in service) with the number of defects that have
these keys. Three statement-level triggers on ``aftersales_defect`` (insert, update,
delete) add and subtract the rows each statement changed, through its transition tables,
grouped by key: one upsert per statement whatever the number of rows, in the same
transaction (a rollback undoes it), with no query from the ORM. An update that changes no
key (most writes: a note, a computed flag) touches nothing.

The defect analysis reads these counts instead of the defects: a grouped read costs the
number of distinct key combinations, not the number of defects. Nullable keys are stored
as 0 (-1 for the age) so that one unique index covers every combination on PostgreSQL 13+
(no ``NULLS NOT DISTINCT`` before 15); the analysis view turns them back into NULL.
"""

from odoo.tools import SQL

TABLE = "aftersales_defect_stat"
KEYS = (
    "company_id",
    "month",
    "product_id",
    "categ_id",
    "component_id",
    "component_lot_id",
    "supplier_id",
    "symptom_code_id",
    "fault_code_id",
    "cause_code_id",
    "resolution_code_id",
    "age_months",
)


def _key_exprs(alias):
    """The stored value of each key, from a defect row ``alias``."""
    exprs = []
    for key in KEYS:
        if key == "month":
            exprs.append(f"date_trunc('month', {alias}.date)::date")
        elif key == "age_months":
            exprs.append(f"COALESCE({alias}.age_months, -1)")
        else:
            exprs.append(f"COALESCE({alias}.{key}, 0)")
    return exprs


def _upsert(source, sign, where=""):
    """Add ``sign`` × the defects of ``source`` (a table expression aliased ``d``) to their
    keys' counts; keys in a fixed order so that two statements lock rows in the same
    order (no deadlock between them)."""
    exprs = ", ".join(_key_exprs("d"))
    keys = ", ".join(KEYS)
    return f"""
        INSERT INTO {TABLE} AS s ({keys}, failures)
        SELECT {exprs}, {sign} * COUNT(*)
          FROM {source} d {where}
      GROUP BY {exprs}
      ORDER BY {exprs}
            ON CONFLICT ({keys}) DO UPDATE SET failures = s.failures + EXCLUDED.failures;
    """


def _changed(alias_a, alias_b):
    return " OR ".join(
        f"{a} IS DISTINCT FROM {b}"
        for a, b in zip(_key_exprs(alias_a), _key_exprs(alias_b), strict=True)
    )


def install(cr):
    """Create (or re-create) the table, its triggers and its content from the defects."""
    cr.execute(_install_sql())


def uninstall(cr):
    """Remove what ``install`` made outside the ORM: the ORM drops the models' tables only."""
    cr.execute(
        SQL(
            "DROP TABLE IF EXISTS %s; DROP FUNCTION IF EXISTS %s() CASCADE",
            SQL.identifier(TABLE),
            SQL.identifier(f"{TABLE}_apply"),
        )
    )


def _install_sql():
    """The statements of ``install``: only names and expressions of this module, no
    input."""
    columns = ",\n".join(
        f"{key} {'date' if key == 'month' else 'integer'} NOT NULL" for key in KEYS
    )
    keys = ", ".join(KEYS)
    on_insert = _upsert("new_rows", 1)
    on_delete = _upsert("old_rows", -1)
    on_update = _upsert(
        "old_rows", -1, "JOIN new_rows n ON n.id = d.id WHERE " + _changed("d", "n")
    ) + _upsert("new_rows", 1, "JOIN old_rows o ON o.id = d.id WHERE " + _changed("d", "o"))
    rebuild = _upsert("aftersales_defect", 1)
    return f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            id serial PRIMARY KEY,
            {columns},
            failures integer NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_keys_uniq ON {TABLE} ({keys});
        CREATE OR REPLACE FUNCTION {TABLE}_apply() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {on_insert}
            ELSIF TG_OP = 'DELETE' THEN
                {on_delete}
            ELSE
                {on_update}
            END IF;
            RETURN NULL;
        END
        $fn$;
        DROP TRIGGER IF EXISTS {TABLE}_insert ON aftersales_defect;
        DROP TRIGGER IF EXISTS {TABLE}_update ON aftersales_defect;
        DROP TRIGGER IF EXISTS {TABLE}_delete ON aftersales_defect;
        CREATE TRIGGER {TABLE}_insert AFTER INSERT ON aftersales_defect
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_apply();
        CREATE TRIGGER {TABLE}_update AFTER UPDATE ON aftersales_defect
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_apply();
        CREATE TRIGGER {TABLE}_delete AFTER DELETE ON aftersales_defect
            REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_apply();
        LOCK TABLE aftersales_defect IN SHARE MODE;
        TRUNCATE {TABLE};
        {rebuild}
        """
