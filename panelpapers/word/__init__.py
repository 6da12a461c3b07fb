"""The reviewer's round trip through Word: reading a reviewed DOCX's tracked changes and comments back
to the content they were made to (`panelpapers absorb`), and writing accepted text into the YAML."""
