# ctl: filled in by its module
