"""panelpapers: Audit Panel papers and meeting packs from YAML content and spreadsheet data."""

__version__ = "0.1.0"
