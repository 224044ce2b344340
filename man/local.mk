# man: filled in by its module
dist_man_MANS += man/tend-bundle.8
dist_man_MANS += man/tend-net.8
dist_man_MANS += man/tend.ini.5
dist_man_MANS += man/tend.8
dist_man_MANS += man/tendctl.8
