"""What the bot says: the message catalogs (``nl/*.toml``, ``en/*.toml``: one file per capability)
and their loader."""

from prompts.catalog import Catalog, CatalogError, Join, Msg, default_catalog

__all__ = ["Catalog", "CatalogError", "Join", "Msg", "default_catalog"]
