# supervisor: filled in by its module
