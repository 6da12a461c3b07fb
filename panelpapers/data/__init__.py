"""Data: declarations in a paper's data.yaml, typed reading of CSV/XLSX/inline rows, tables (pandas),
charts (matplotlib), the risk register, and everything a paper computes from its data."""
