# ctl: tendctl, the control client. A plain libc program: it only speaks the
# line protocol (tendctl(8)), so it links nothing of tend's.
sbin_PROGRAMS += tendctl
tendctl_SOURCES = ctl/tendctl.c
