"""Landing pages: the editor, publishing, and hosted rendering."""
