# net: the container side of the network (netc, through libnl-3) and tend-net

# netc: [network] inside the container. tend loads it as a module,
# tend-netc.so, only when there is a [network] section (net/netload.c), so
# that a tend without one never maps libnl. The module carries its own copy
# of common/ (tend hands it its log settings). Built as a "program" linked
# -shared: automake without libtool has no other way to make a module.
netcmoddir = $(pkglibdir)
netcmod_PROGRAMS = tend-netc.so
tend_netc_so_SOURCES = net/netc.c net/netc.h common/log.c common/util.c common/strv.c common/outfd.c common/utf8.c
tend_netc_so_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS) -fPIC
tend_netc_so_LDFLAGS = $(AM_LDFLAGS) -shared -Wl,-soname,tend-netc.so
tend_netc_so_LDADD = $(NL_LIBS) $(EV_LIBS)

# The same code as a library, for the test driver.
noinst_LIBRARIES += net/libnetc.a
net_libnetc_a_SOURCES = net/netc.c net/netc.h
net_libnetc_a_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS)

# A driver that runs netc_start on a libev loop, for tests and the bench.
check_PROGRAMS += test/netc-driver
test_netc_driver_SOURCES = test/netc-driver.c
test_netc_driver_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS)
test_netc_driver_LDADD = net/libnetc.a common/libcommon.a $(NL_LIBS) $(EV_LIBS)
EXTRA_DIST += test/integration/net-lib.sh

# tend-net: the host side (veth, bridge, NAT, published ports), an OCI hook.
sbin_PROGRAMS += tend-net
tend_net_SOURCES = net/tend-net.c net/host.c net/host.h net/nft.c net/nft.h net/ocistate.c net/ocistate.h
tend_net_CFLAGS = $(AM_CFLAGS) $(NL_CFLAGS) $(JANSSON_CFLAGS) $(NFT_CFLAGS)
tend_net_LDADD = $(CONF_LIBS) $(NL_LIBS) $(JANSSON_LIBS) $(NFT_LIBS)
EXTRA_DIST += test/integration/tendnet-lib.sh
