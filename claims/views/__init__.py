"""HTML views for claims, one module per page or flow; thin, through the API's selectors."""
