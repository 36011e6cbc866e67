"""report stage of lnnmeta."""
