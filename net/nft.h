/* nft.h: tend-net's NAT and port rules, in the nftables table `ip tend`.
 *
 * Every rule carries the comment "tend-net:NAME" (NAME: the container), so
 * that removing a container's rules never touches another container's, and
 * nothing outside the table is ever touched. Each call is one nftables
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

struct nft_publish {
	uint16_t host_port;
	uint16_t container_port;
	int proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

struct nft_subnet {
	unsigned char net[4]; /* network byte order, host bits cleared */
	unsigned prefix;
};

/* What one container needs. */
struct nft_spec {
	const char *tag;         /* "tend-net:NAME" */
	const char *ifname;      /* the host link facing the container: bridge or veth end */
	bool nat;                /* masquerade `subnets` going anywhere but ifname */
	const struct nft_subnet *subnets; size_t n_subnets;
	unsigned char container[4];  /* publish target, network byte order */
	const struct nft_publish *publish; size_t n_publish;
};

/* The rules `spec` asks for, as nft commands, and how many there are.
 * A spec that asks for nothing gives "" and 0. */
int nft_script(const struct nft_spec *spec, char **ret_script, size_t *ret_n);

/* Number of rules in the table tagged `tag` (0 when there is no table). */
int nft_count(const char *tag, size_t *ret_n, char **ret_msg);

/* One transaction: remove the rules tagged `tag`, add `script` (from
 * nft_script(), may be ""), and create the table and its base chains first
 * when the script adds anything. When the table is left without any rule,
 * it is removed. */
int nft_replace(const char *tag, const char *script, char **ret_msg);

/* The host ports (of `proto`) that rules NOT tagged `tag` already forward:
 * another container published it. Returns 1 and the other tag in
 * ret_other when `port` is taken, 0 when free. */
int nft_port_taken(const char *tag, uint16_t port, int proto, char *ret_other, size_t other_len,
		   char **ret_msg);

#endif
