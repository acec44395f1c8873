"""Upload captures: an evidence item's stored file preserved like a fetched one."""
