"""Review diffs: what changed between two drafts, read from each paper's review record (or a bare
PDF), compared block by block, backed by page images, and reported as HTML, Markdown and text."""
