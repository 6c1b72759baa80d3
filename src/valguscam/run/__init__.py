"""The only frame loops: analyze one video (and later live and batch), the decode/pose pipeline."""
