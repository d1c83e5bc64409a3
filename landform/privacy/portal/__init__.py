"""The public privacy portal: /privacy/{tenant} pages, the forms, confirming by link or code."""
