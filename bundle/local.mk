# bundle: filled in by its module
