"""storage.models is a package split by capability; ``from storage.models import X`` must keep
working for every table, and every table must come from one of its modules.

(That the tables still match the migrations is checked in tests/test_storage.py.)"""

from __future__ import annotations

from sqlmodel import SQLModel

import storage.models as models

CAPABILITY_MODULES = {"foundation", "cycle", "meetings", "polls", "leader", "teams", "web"}  # teams: a transport's table


def _table_classes() -> dict[str, type]:
    """Every SQLModel table class registered on the metadata, by table name."""
    return {mapper.class_.__table__.name: mapper.class_
            for mapper in SQLModel._sa_registry.mappers}


def test_every_table_is_reexported_from_storage_models() -> None:
    classes = _table_classes()
    assert set(classes) == set(SQLModel.metadata.tables)
    for table, cls in classes.items():
        assert getattr(models, cls.__name__, None) is cls, f"{cls.__name__} ({table}) not in storage.models"
        assert cls.__name__ in models.__all__, cls.__name__


def test_every_table_lives_in_a_capability_module() -> None:
    for cls in _table_classes().values():
        package, _, module = cls.__module__.rpartition(".")
        assert package == "storage.models" and module in CAPABILITY_MODULES, cls.__module__


def test_constraint_names_follow_the_convention() -> None:
    # the convention is set in storage.models.base before any table exists; a module defining a
    # table before it would leave that table's constraints unnamed or named differently
    for table in SQLModel.metadata.tables.values():
        for index in table.indexes:
            assert index.name and index.name.startswith(("ix_", "uq_")), (table.name, index.name)
        assert table.primary_key.name == f"pk_{table.name}"
