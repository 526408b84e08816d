"""The `superoptix` command line: a thin shell over the library."""
