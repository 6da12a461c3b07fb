"""Loading: safe YAML with line marks, the content format as validated specs, and the meeting and
paper folders. Knows nothing of data, the model or the writers."""
