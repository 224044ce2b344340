# net: filled in by its module
