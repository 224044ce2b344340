/* nft.h: tend-net's NAT, port and forwarding rules.
 *
 * tend-net's own rules live in the nftables tables `ip tend` and (for
 * IPv6) `ip6 tend`. On a host whose iptables (iptables-nft) FORWARD chain
 * is there, typically Docker's with policy drop, a few accept rules go
 * into that chain's table too (see nft.c for why, and why there).
 *
 * Every rule carries the comment "tend-net:NAME" (NAME: the container), so
 * that removing a container's rules never touches another container's, and
 * no rule without that comment is ever touched. Each call is one nftables
 * transaction: the kernel applies all of it or none of it.
 *
 * Functions return >= 0 or -errno and log nothing; when nftables refused
 * a command, its own message is handed back in *ret_msg (malloc'ed). */
#ifndef TEND_NET_NFT_H
#define TEND_NET_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFT_TABLE "tend"

/* An address of either family, network byte order. */
struct nft_addr {
	int family; /* AF_INET or AF_INET6; 0: none */
	unsigned char a[16];
};

struct nft_publish {
	uint16_t host_port;
	uint16_t container_port;
	int proto;               /* IPPROTO_TCP or IPPROTO_UDP */
	struct nft_addr host_ip; /* family 0: every local address */
};

struct nft_subnet {
	int family;
	unsigned char net[16]; /* host bits cleared */
	unsigned prefix;
};

/* What one container needs. */
struct nft_spec {
	const char *tag;         /* "tend-net:NAME" */
	const char *ifname;      /* the host link facing the container: bridge or veth end */
	bool nat;                /* masquerade `subnets` going anywhere but ifname */
	const struct nft_subnet *subnets; size_t n_subnets;
	struct nft_addr container4, container6; /* publish and forward targets */
	const struct nft_publish *publish; size_t n_publish;
	/* The iptables-nft chain of `ip filter` / `ip6 filter` to add the
	 * accepts to (from nft_forward_chains()), NULL: none. */
	const char *forward4, *forward6;
};

/* The rules `spec` asks for, as nft commands, and how many there are.
 * A spec that asks for nothing gives "" and 0. */
int nft_script(const struct nft_spec *spec, char **ret_script, size_t *ret_n);

/* Number of rules tagged `tag`, in our tables and in the iptables filter
 * tables (0 when there is none). */
int nft_count(const char *tag, size_t *ret_n, char **ret_msg);

/* One transaction: remove the rules tagged `tag` wherever they are, add
 * `script` (from nft_script(), may be ""), and create our tables and their
 * chains first when the script adds anything. A table of ours left
 * without any rule is removed. */
int nft_replace(const char *tag, const char *script, char **ret_msg);

/* Whether another container (a rule NOT tagged `tag`) already forwards
 * host port `port`/`proto` on an address that meets `host_ip` (family 0:
 * every address; a rule without an address meets every address). Returns 1
 * and the other tag in ret_other when taken, 0 when free. */
int nft_port_taken(const char *tag, const struct nft_publish *p, char *ret_other, size_t other_len,
		   char **ret_msg);

/* The chain of the iptables-nft tables `ip filter` (ret4) and `ip6
 * filter` (ret6) that forwarded traffic must be accepted in: "DOCKER-USER"
 * when Docker's chain is there (Docker's documented place for the
 * administrator's rules), else "FORWARD" when that base chain is there;
 * NULL when the host has no such table or chain. One listing for both. */
int nft_forward_chains(const char **ret4, const char **ret6, char **ret_msg);

#endif
