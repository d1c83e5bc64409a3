"""The form builder: the dashboard screens where marketers make, edit and publish forms."""
