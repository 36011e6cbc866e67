"""literature stage of lnnmeta."""
