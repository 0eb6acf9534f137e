"""Uploaded files and images: storage under DATA_DIR/files, thumbnails, access checks."""
