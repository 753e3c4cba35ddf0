/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane set-up: the EAL from the config, the mbuf pool, the two ports
 * with one RX and one TX queue per worker, the workers' loops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ip.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"
#include "platform/log/log.h"
#include "platform/sip/sip.h"

/* Most EAL arguments we build: ours plus the config's plus the extra. */
#define DP_EAL_ARGS_MAX 128
/* RX/TX descriptors per queue (adjusted to what the PMD accepts). */
#define DP_RING_DESC 1024
/* Idle polls spent pausing before a worker starts to sleep. */
#define DP_IDLE_SPIN 256
/* The sleep of an idle worker: short, so that a burst after a lull waits
 * little, long enough to leave a 2-core machine to SIPp and the kernel. */
#define DP_IDLE_SLEEP_NS 50000

static const char *const dp_ctr_names[] = { STATS_NAMES(DP_CTR_LIST) };
static const char *const dp_ctr_helps[] = { STATS_HELPS(DP_CTR_LIST) };
static const char *const dp_role_names[DP_PORT__COUNT] = { "outside",
							   "inside" };

static bool dp_eal_up;

static bool
dp_has_arg(const struct dp_cfg *cfg, char *const *extra, unsigned n_extra,
		const char *a, const char *b)
{
	for (unsigned i = 0; i < cfg->eal_args_count; i++)
		if (strcmp(cfg->eal_args[i], a) == 0 ||
		    strncmp(cfg->eal_args[i], b, strlen(b)) == 0)
			return true;
	for (unsigned i = 0; i < n_extra; i++)
		if (strcmp(extra[i], a) == 0 ||
		    strncmp(extra[i], b, strlen(b)) == 0)
			return true;
	return false;
}

int
dp_eal_init(const struct dp_cfg *cfg, const char *argv0, char *const *extra,
		unsigned n_extra, char *err, size_t errlen)
{
	char *argv[DP_EAL_ARGS_MAX];
	char prefix[96], lcores[64];
	int argc = 0;

	if (dp_eal_up)
		return 0;
	if (cfg->eal_args_count + n_extra + 4 > DP_EAL_ARGS_MAX) {
		snprintf(err, errlen, "too many EAL arguments");
		return -E2BIG;
	}
	argv[argc++] = (char *)argv0;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", cfg->file_prefix);
	argv[argc++] = prefix;
	/*
	 * Lcore 0 is the main thread (the control plane); workers are 1..N.
	 * Unless the operator pinned them (-l / --lcores), they float over
	 * every CPU: on a small machine pinning would starve the kernel.
	 */
	if (!dp_has_arg(cfg, extra, n_extra, "-l", "--lcores")) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		snprintf(lcores, sizeof(lcores), "--lcores=(0-%u)@(0-%ld)",
				cfg->workers, ncpu > 0 ? ncpu - 1 : 0);
		argv[argc++] = lcores;
	}
	for (unsigned i = 0; i < cfg->eal_args_count; i++)
		argv[argc++] = cfg->eal_args[i];
	for (unsigned i = 0; i < n_extra; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		snprintf(err, errlen, "EAL initialisation failed: %s",
				rte_strerror(rte_errno));
		return -rte_errno;
	}
	dp_eal_up = true;
	return 0;
}

/* The ethdev for a device: an existing one of that name, else probed. */
static int
dp_port_find(const char *devargs, uint16_t *port_id, char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(devargs, ",");

	if (n >= sizeof(name)) {
		snprintf(err, errlen, "device name too long: %s", devargs);
		return -EINVAL;
	}
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	int rc = rte_dev_probe(devargs);

	if (rc < 0) {
		snprintf(err, errlen, "cannot probe device '%s': %s", devargs,
				rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, errlen, "device '%s' gave no ethdev named '%s'",
				devargs, name);
		return -ENODEV;
	}
	return 0;
}

/* IPv6 solicited-node multicast MAC: 33:33:ff + low 24 bits (RFC 4291). */
static void
dp_sn_mac(const uint8_t ip6[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	mac[2] = 0xff;
	mac[3] = ip6[13];
	mac[4] = ip6[14];
	mac[5] = ip6[15];
}

static int
dp_port_identity(struct dp_port *p, const struct dp_port_cfg *pc, char *err,
		size_t errlen)
{
	struct dp_cidr c;

	if (dp_mac_parse(pc->mac, p->mac.addr_bytes) < 0) {
		snprintf(err, errlen, "bad MAC %s", pc->mac);
		return -EINVAL;
	}
	/* Configs built in code may leave it 0. */
	p->mtu = (uint16_t)(pc->mtu ? pc->mtu : DP_MTU_DEFAULT);
	if (pc->ipv4 && dp_cidr_parse(pc->ipv4, &c) == 0) {
		memcpy(&p->ip4, c.ip, 4);
		p->prefix4 = c.prefix;
		p->has_ip4 = true;
	}
	if (pc->gateway4 && dp_cidr_parse(pc->gateway4, &c) == 0) {
		memcpy(p->gw4, c.ip, 4);
		p->has_gw4 = true;
	}
	if (pc->gateway6 && dp_cidr_parse(pc->gateway6, &c) == 0) {
		memcpy(p->gw6, c.ip, 16);
		p->has_gw6 = true;
	}
	if (pc->ipv6 && dp_cidr_parse(pc->ipv6, &c) == 0) {
		memcpy(p->ip6, c.ip, 16);
		p->prefix6 = c.prefix;
		dp_sn_mac(p->ip6, p->ip6_sn_mac);
		/* ff02::1:ffXX:XXXX (RFC 4291 §2.7.1). */
		memset(p->ip6_sn, 0, sizeof(p->ip6_sn));
		p->ip6_sn[0] = 0xff;
		p->ip6_sn[1] = 0x02;
		p->ip6_sn[11] = 0x01;
		p->ip6_sn[12] = 0xff;
		memcpy(p->ip6_sn + 13, p->ip6 + 13, 3);
		p->has_ip6 = true;
	}
	return 0;
}

static int
dp_port_setup(struct dp *dp, struct dp_port *p, const struct dp_port_cfg *pc,
		char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = DP_RING_DESC, ntx = DP_RING_DESC;
	uint16_t q = (uint16_t)dp->n_workers;
	int rc;

	if ((rc = dp_port_find(pc->device, &p->port_id, err, errlen)) < 0 ||
	    (rc = dp_port_identity(p, pc, err, errlen)) < 0)
		return rc;
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0) {
		snprintf(err, errlen, "%s: no device info", pc->device);
		return rc;
	}
	if (info.max_rx_queues < q || info.max_tx_queues < q) {
		snprintf(err, errlen, "%s: %u workers need %u queue pairs, the "
				"device offers %u (af_packet: qpairs=%u)",
				pc->device, q, q, info.max_rx_queues, q);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	/* RSS where the port offers it; else the PMD spreads (DESIGN.md). */
	if (q > 1 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP);
	}
	rc = rte_eth_dev_configure(p->port_id, q, q, &conf);
	/* A jumbo MTU needs the device to send such frames; PMDs without
	 * an MTU of their own (net_ring) send anything. */
	if (rc == 0 && p->mtu > DP_MTU_DEFAULT) {
		rc = rte_eth_dev_set_mtu(p->port_id, p->mtu);
		if (rc == -ENOTSUP)
			rc = 0;
		if (rc < 0) {
			snprintf(err, errlen, "%s: the device refuses MTU %u: "
					"%s", pc->device, p->mtu,
					rte_strerror(-rc));
			return rc;
		}
	}
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrx, &ntx);
	for (uint16_t i = 0; rc == 0 && i < q; i++) {
		rc = rte_eth_rx_queue_setup(p->port_id, i, nrx,
				rte_eth_dev_socket_id(p->port_id), NULL,
				dp->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, i, ntx,
					rte_eth_dev_socket_id(p->port_id),
					NULL);
	}
	if (rc == 0)
		rc = rte_eth_dev_start(p->port_id);
	p->started = rc == 0;
	if (rc < 0) {
		snprintf(err, errlen, "%s: port set-up failed: %s", pc->device,
				rte_strerror(-rc));
		return rc;
	}
	/* Frames for our own MAC must reach us even where it is not the
	 * NIC's; failure is harmless on PMDs that take everything. */
	rte_eth_promiscuous_enable(p->port_id);
	return 0;
}

/* TX buffer overflow: free what the NIC did not take, and count it. */
static void
dp_tx_drop(struct rte_mbuf **pkts, uint16_t unsent, void *arg)
{
	struct dp_worker *w = arg;

	rte_pktmbuf_free_bulk(pkts, unsent);
	/* The buffer knows no port; count against the outside block. */
	dp_count(w, &w->dp->ports[DP_PORT_OUTSIDE], DP_DROP_TX_FULL, unsent);
}

static int
dp_workers_setup(struct dp *dp, char *err, size_t errlen)
{
	unsigned lcore = 0, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == dp->n_workers)
			break;
		dp->workers[i].lcore = lcore;
		i++;
	}
	/* Shards 0..workers-1 are the workers', the next the control's. */
	dp->ctl_ctr = stats_shard(dp->reg, dp->n_workers);
	dp->ctl_tx = rte_ring_create("dp_ctl_tx", DP_HANDOFF_RING,
			(int)rte_socket_id(), RING_F_SC_DEQ);
	if (dp->ctl_ctr == NULL || dp->ctl_tx == NULL) {
		snprintf(err, errlen, "control TX ring or stats shard missing");
		return -ENOMEM;
	}
	for (i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		char name[32];

		w->dp = dp;
		w->id = i;
		w->ctr = stats_shard(dp->reg, i);
		snprintf(name, sizeof(name), "dp_handoff%u", i);
		w->handoff = rte_ring_create(name, DP_HANDOFF_RING,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->handoff == NULL) {
			snprintf(err, errlen, "hand-off ring: %s",
					rte_strerror(rte_errno));
			return -ENOMEM;
		}
		w->sip = rte_zmalloc("sip_msg", sizeof(*w->sip),
				RTE_CACHE_LINE_SIZE);
		w->rsp = rte_malloc("dp_rsp", DP_RSP_MAX, 0);
		if (w->ctr == NULL || w->sip == NULL || w->rsp == NULL ||
		    dp_rl_init(w, &dp->rl_cfg, dp->n_workers) < 0) {
			snprintf(err, errlen, "worker %u: no stats shard or "
					"scratch memory", i);
			return -ENOMEM;
		}
		for (unsigned p = 0; p < DP_PORT__COUNT; p++) {
			w->txb[p] = rte_zmalloc("txb",
					RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0);
			if (w->txb[p] == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(w->txb[p], DP_BURST);
			rte_eth_tx_buffer_set_err_callback(w->txb[p],
					dp_tx_drop, w);
		}
	}
	return 0;
}

/* The config's `acl:` (checked by dp_cfg_check(); parsed again here). */
int
dp_set_acl_cfg(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen)
{
	struct dp_acl_rule *rules = calloc(cfg->acl_count + 1,
			sizeof(*rules));
	const char *key;
	char why[160];
	int rc = 0;

	if (rules == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; rc == 0 && i < cfg->acl_count; i++) {
		rc = dp_acl_rule_parse(&cfg->acl[i], i, &rules[i], &key, why,
				sizeof(why));
		if (rc < 0)
			snprintf(err, errlen, "dataplane.acl[%u].%s: %s", i,
					key, why);
	}
	if (rc == 0) {
		rc = dp_set_acl(dp, rules, cfg->acl_count);
		if (rc < 0)
			snprintf(err, errlen, "ACL: %s", strerror(-rc));
	}
	free(rules);
	return rc;
}

/*
 * Malformed SIP by reason: one counter per parse error (enum sip_err),
 * "dp_sip_malformed_bare_cr"..., both ports together.
 */
static int
dp_sip_err_register(struct dp *dp, char *err, size_t errlen)
{
	char names[SIP_ERR__COUNT][48];
	const char *np[SIP_ERR__COUNT], *hp[SIP_ERR__COUNT];

	for (unsigned e = 0; e < SIP_ERR__COUNT; e++) {
		const char *id = sip_err_id_str((enum sip_err)e);
		size_t i;

		for (i = 0; id[i] && i + 1 < sizeof(names[e]); i++)
			names[e][i] = sstr_lower(id[i]);
		names[e][i] = '\0';
		np[e] = names[e];
		hp[e] = sip_err_str((enum sip_err)e);
	}
	dp->sip_err_ctr = stats_block_register(dp->reg, "dp_sip_malformed", np,
			hp, SIP_ERR__COUNT, STATS_KIND_COUNTER);
	if (dp->sip_err_ctr < 0) {
		snprintf(err, errlen, "cannot register counters: %s",
				strerror(-dp->sip_err_ctr));
		return dp->sip_err_ctr;
	}
	return 0;
}

struct dp *
dp_create(const struct dp_cfg *cfg, const char *argv0, char *const *extra,
		unsigned n_extra, struct stats_reg *reg, char *err,
		size_t errlen)
{
	const struct dp_port_cfg *pcs[DP_PORT__COUNT] = {
		&cfg->ports.outside, &cfg->ports.inside,
	};
	struct dp *dp;

	if (cfg->workers == 0 || cfg->workers > DP_MAX_WORKERS) {
		snprintf(err, errlen, "workers must be 1..%u", DP_MAX_WORKERS);
		return NULL;
	}
	if (dp_eal_init(cfg, argv0, extra, n_extra, err, errlen) < 0)
		return NULL;
	if (rte_lcore_count() < cfg->workers + 1) {
		snprintf(err, errlen, "%u workers need %u lcores, the EAL has "
				"%u", cfg->workers, cfg->workers + 1,
				rte_lcore_count());
		return NULL;
	}
	dp = rte_zmalloc("dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dp->n_workers = cfg->workers;
	dp->poll = cfg->poll;
	dp->sip_port = (uint16_t)cfg->sip_port;
	dp->rl_cfg = cfg->rate_limit;
	dp->reg = reg;
	atomic_init(&dp->stop, false);
	/* The private area carries the hand-off metadata. */
	dp->pool = rte_pktmbuf_pool_create("sipedge_mbufs", cfg->mbufs,
			RTE_MIN(256u, cfg->mbufs / 2),
			RTE_ALIGN(sizeof(struct dp_meta), RTE_MBUF_PRIV_ALIGN),
			(uint16_t)(cfg->mbuf_data_room + RTE_PKTMBUF_HEADROOM),
			(int)rte_socket_id());
	if (dp->pool == NULL) {
		snprintf(err, errlen, "mbuf pool of %u x %u bytes: %s",
				cfg->mbufs, cfg->mbuf_data_room,
				rte_strerror(rte_errno));
		goto fail;
	}
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		char prefix[32];
		int base;

		snprintf(prefix, sizeof(prefix), "dp_%s", dp_role_names[r]);
		base = stats_block_register(reg, prefix, dp_ctr_names,
				dp_ctr_helps, DP_CTR__COUNT, STATS_KIND_COUNTER);
		if (base < 0) {
			snprintf(err, errlen, "cannot register counters: %s",
					strerror(-base));
			goto fail;
		}
		dp->ports[r].role = (uint8_t)r;
		dp->ports[r].ctr_base = base;
		if (dp_port_setup(dp, &dp->ports[r], pcs[r], err, errlen) < 0)
			goto fail;
		/* Configs built in code (tests) may leave the section 0. */
		if (dp_neigh_init(dp, &dp->ports[r],
				cfg->neighbour.table_size ?
					cfg->neighbour.table_size : 1024,
				cfg->neighbour.timeout_s ?
					cfg->neighbour.timeout_s : 300) < 0) {
			snprintf(err, errlen, "neighbour table: out of memory");
			goto fail;
		}
	}
	if (dp_sip_err_register(dp, err, errlen) < 0 ||
	    dp_workers_setup(dp, err, errlen) < 0 ||
	    dp_frag_setup(dp, cfg, err, errlen) < 0 ||
	    dp_pat_setup(dp, cfg, err, errlen) < 0 ||
	    dp_set_pat_statics_cfg(dp, cfg, err, errlen) < 0 ||
	    dp_tap_create(dp, cfg, err, errlen) < 0 ||
	    dp_set_acl_cfg(dp, cfg, err, errlen) < 0)
		goto fail;
	return dp;
fail:
	dp_destroy(dp);
	return NULL;
}

unsigned
dp_poll(struct dp *dp, unsigned wi)
{
	struct dp_worker *w = &dp->workers[wi];
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	w->now = rte_rdtsc();
	dp_rl_refresh(w);
	/* With the burst's own timestamp: its fragments meet no stale
	 * datagram (dp_frag.c). */
	dp_frag_expire(w, w->now);
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &dp->ports[r];
		uint16_t n = rte_eth_rx_burst(p->port_id, (uint16_t)w->id, pkts,
				DP_BURST);

		if (n == 0)
			continue;
		dp_count(w, p, DP_RX_FRAMES, n);
		for (uint16_t i = 0; i < n; i++) {
			/* Software pipeline: the next frame's header is
			 * loading while this one is processed. */
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1],
						void *));
			dp_input(w, p, pkts[i]);
		}
		/* The burst's datagrams for us, classified together. */
		dp_input_acl(w, p);
		total += n;
	}
	/* Worker 0 transmits what the control plane sends. */
	if (wi == 0 && !rte_ring_empty(dp->ctl_tx)) {
		uint16_t n = (uint16_t)rte_ring_sc_dequeue_burst(dp->ctl_tx,
				(void **)pkts, DP_BURST, NULL);

		for (uint16_t i = 0; i < n; i++) {
			struct dp_meta *meta = dp_meta(pkts[i]);
			struct dp_port *p = &dp->ports[meta->route.port];
			static const uint8_t none[6];

			/* A reply knows its next hop; a new destination
			 * is resolved here. */
			if (memcmp(meta->route.mac, none, 6) == 0)
				dp_output(w, p, pkts[i], meta->dst.family,
						meta->dst.ip, true);
			else
				dp_tx_ip(w, p, pkts[i], true);
		}
	}
	/* What other workers passed to this worker's PAT slice, and a
	 * bounded share of its aging. */
	total += dp_pat_poll(w, w->now, 64);
	if (wi == 0)
		dp_neigh_sweep(w);
	/* Worker 0 also carries what the kernel sends on the TAPs. */
	if (wi == 0)
		total += dp_tap_poll(w);
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		uint16_t sent = rte_eth_tx_buffer_flush(dp->ports[r].port_id,
				(uint16_t)w->id, w->txb[r]);

		if (sent)
			dp_count(w, &dp->ports[r], DP_TX_FRAMES, sent);
	}
	dp_tap_flush(w);
	return total;
}

/* Back off when idle: pause first, then short sleeps (DESIGN.md). */
static void
dp_idle(struct dp_worker *w)
{
	if (w->dp->poll == DP_POLL_BUSY || ++w->idle < DP_IDLE_SPIN) {
		rte_pause();
		return;
	}
	struct timespec ts = { 0, DP_IDLE_SLEEP_NS };

	/* Asleep, a worker holds no snapshot: a reload need not wait. */
	rcu_thread_offline();
	nanosleep(&ts, NULL);
	rcu_thread_online();
}

static int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;

	rcu_register_thread();
	while (!atomic_load_explicit(&w->dp->stop, memory_order_relaxed)) {
		if (dp_poll(w->dp, w->id))
			w->idle = 0;
		else
			dp_idle(w);
		/* Nothing read from a snapshot survives this point. */
		rcu_quiescent_state();
	}
	rcu_unregister_thread();
	return 0;
}

void
dp_snapshot_swap(void **slot, void *snap, void (*free_fn)(void *))
{
	void *old = rcu_xchg_pointer(slot, snap);

	/* Workers that read old finish their burst and pass a quiescent
	 * state; with none registered (tests polling on their own thread,
	 * the workers not started) this returns at once. */
	synchronize_rcu();
	if (old != NULL)
		free_fn(old);
}

int
dp_start(struct dp *dp)
{
	atomic_store(&dp->stop, false);
	for (unsigned i = 0; i < dp->n_workers; i++) {
		int rc = rte_eal_remote_launch(dp_worker_main, &dp->workers[i],
				dp->workers[i].lcore);

		if (rc < 0) {
			dp_stop(dp);
			return rc;
		}
		dp->running = true;
	}
	return 0;
}

void
dp_stop(struct dp *dp)
{
	if (!dp->running)
		return;
	atomic_store(&dp->stop, true);
	for (unsigned i = 0; i < dp->n_workers; i++)
		rte_eal_wait_lcore(dp->workers[i].lcore);
	dp->running = false;
}

void
dp_destroy(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp_stop(dp);
	for (unsigned r = 0; r < DP_PORT__COUNT; r++)
		if (dp->ports[r].started)
			rte_eth_dev_stop(dp->ports[r].port_id);
	dp_tap_destroy(dp);
	dp_pat_teardown(dp);
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct rte_mbuf *m;

		while (dp->workers[i].handoff &&
		       rte_ring_dequeue(dp->workers[i].handoff,
				       (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->workers[i].handoff);
		rte_free(dp->workers[i].sip);
		rte_free(dp->workers[i].rsp);
		dp_rl_free(&dp->workers[i]);
		for (unsigned p = 0; p < DP_PORT__COUNT; p++)
			rte_free(dp->workers[i].txb[p]);
	}
	if (dp->ctl_tx) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(dp->ctl_tx, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->ctl_tx);
	}
	dp_frag_teardown(dp);
	for (unsigned r = 0; r < DP_PORT__COUNT; r++)
		dp_neigh_free(&dp->ports[r]);
	dp_domains_free_any(dp->domains);
	dp_acl_free(dp->acl);
	rte_free(dp->rl_set);
	rte_mempool_free(dp->pool);
	rte_free(dp);
}

unsigned
dp_workers(const struct dp *dp)
{
	return dp->n_workers;
}

unsigned
dp_handoff_rx(struct dp *dp, struct dp_msg *out, unsigned n)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned got = 0;

	for (unsigned i = 0; i < dp->n_workers && got < n; i++) {
		unsigned want = RTE_MIN(n - got, (unsigned)DP_BURST);
		unsigned k = rte_ring_sc_dequeue_burst(dp->workers[i].handoff,
				(void **)pkts, want, NULL);

		for (unsigned j = 0; j < k; j++) {
			const struct dp_meta *meta = dp_meta(pkts[j]);
			struct dp_msg *msg = &out[got++];

			msg->data = rte_pktmbuf_mtod_offset(pkts[j],
					const char *, meta->payload_off);
			msg->len = meta->payload_len;
			msg->src = meta->src;
			msg->dst = meta->dst;
			msg->route = meta->route;
			msg->handle = pkts[j];
		}
	}
	return got;
}

void
dp_msg_release(struct dp *dp, struct dp_msg *m)
{
	(void)dp;
	rte_pktmbuf_free(m->handle);
	m->handle = NULL;
}

struct rte_mbuf *
dp_build_udp(struct dp *dp, const struct dp_port *p,
		const struct dp_route *route, const struct netaddr *src,
		const struct netaddr *dst, const void *data, uint32_t len)
{
	bool v6 = src->family == AF_INET6;
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) :
			   sizeof(struct rte_ipv4_hdr);
	uint32_t total = (uint32_t)sizeof(struct rte_ether_hdr) + l3 +
			 (uint32_t)sizeof(struct rte_udp_hdr) + len;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	if (m == NULL)
		return NULL;
	char *f = rte_pktmbuf_append(m, (uint16_t)total);

	if (f == NULL || total > UINT16_MAX) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;

	memcpy(eth->dst_addr.addr_bytes, route->mac, 6);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 :
						RTE_ETHER_TYPE_IPV4);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + sizeof(*eth) + l3);

	udp->src_port = rte_cpu_to_be_16(src->port);
	udp->dst_port = rte_cpu_to_be_16(dst->port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, data, len);
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = udp->dgram_len;
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, src->ip, 16);
		memcpy(ip6->dst_addr, dst->ip, 16);
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 +
				sizeof(*udp) + len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, src->ip, 4);
		memcpy(&ip->dst_addr, dst->ip, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	dp_meta(m)->route = *route;
	dp_meta(m)->dst = *dst;
	return m;
}

int
dp_route_lookup(struct dp *dp, const struct netaddr *dst,
		struct dp_route *route, struct netaddr *src)
{
	uint8_t nh[16];
	struct dp_port *p;

	if (dst->family != AF_INET && dst->family != AF_INET6)
		return -EINVAL;
	p = dp_route_port(dp, dst->family, dst->ip, nh);
	if (p == NULL)
		return -ENETUNREACH;
	memset(route, 0, sizeof(*route));
	route->port = p->role;
	if (dst->family == AF_INET)
		*src = netaddr_make4((const uint8_t *)&p->ip4, 0);
	else
		*src = netaddr_make6(p->ip6, 0);
	return 0;
}

int
dp_send_udp(struct dp *dp, const struct dp_route *route,
		const struct netaddr *src, const struct netaddr *dst,
		const void *data, uint32_t len)
{
	if (route->port >= DP_PORT__COUNT || src->family != dst->family ||
	    (src->family != AF_INET && src->family != AF_INET6))
		return -EINVAL;
	const struct dp_port *p = &dp->ports[route->port];
	struct rte_mbuf *m = dp_build_udp(dp, p, route, src, dst, data, len);

	/* The control shard has one writer per control thread; with one
	 * control thread today, plain adds are safe. */
	if (m == NULL) {
		stats_add(dp->ctl_ctr, (unsigned)(p->ctr_base + DP_DROP_CTL_TX),
				1);
		return -ENOBUFS;
	}
	if (rte_ring_mp_enqueue(dp->ctl_tx, m) < 0) {
		rte_pktmbuf_free(m);
		stats_add(dp->ctl_ctr, (unsigned)(p->ctr_base + DP_DROP_CTL_TX),
				1);
		return -ENOBUFS;
	}
	stats_add(dp->ctl_ctr, (unsigned)(p->ctr_base + DP_CTL_TX), 1);
	return 0;
}
