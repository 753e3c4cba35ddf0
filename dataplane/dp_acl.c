/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ACL (DESIGN.md policy order, step 1) on rte_acl: per port, one
 * context per address family, built from the rules before the workers
 * start; the workers classify a burst's frames addressed to the appliance
 * with one rte_acl_classify() per family (dp_input_acl()).
 *
 * dp_set_acl() builds a whole new struct dp_acl and publishes it with RCU
 * (dp_snapshot_swap()); the workers read dp->acl once per burst, so a
 * reload neither drops nor stalls a frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_malloc.h>

#include "dataplane/dp_priv.h"

/* Field layout of struct dp_acl_key4: proto, src, dst, sport + dport.
 * rte_acl wants a 1-byte first field and the rest in 4-byte groups
 * (input_index). */
enum { DP_ACL4_PROTO, DP_ACL4_SRC, DP_ACL4_DST, DP_ACL4_SPORT,
       DP_ACL4_DPORT, DP_ACL4_FIELDS };

static const struct rte_acl_field_def dp_acl4_defs[DP_ACL4_FIELDS] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
	  .field_index = DP_ACL4_PROTO, .input_index = 0,
	  .offset = offsetof(struct dp_acl_key4, proto) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = DP_ACL4_SRC, .input_index = 1,
	  .offset = offsetof(struct dp_acl_key4, src) },
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
	  .field_index = DP_ACL4_DST, .input_index = 2,
	  .offset = offsetof(struct dp_acl_key4, dst) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = DP_ACL4_SPORT, .input_index = 3,
	  .offset = offsetof(struct dp_acl_key4, sport) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = DP_ACL4_DPORT, .input_index = 3,
	  .offset = offsetof(struct dp_acl_key4, dport) },
};

/* IPv6: proto, the addresses as four 32-bit words each, the ports. */
#define DP_ACL6_SRC 1
#define DP_ACL6_DST 5
#define DP_ACL6_SPORT 9
#define DP_ACL6_DPORT 10
#define DP_ACL6_FIELDS 11

#define DP_ACL6_WORD(base, member, k)                                      \
	{ .type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,                      \
	  .field_index = (base) + (k), .input_index = (base) + (k),        \
	  .offset = offsetof(struct dp_acl_key6, member) + 4 * (k) }

static const struct rte_acl_field_def dp_acl6_defs[DP_ACL6_FIELDS] = {
	{ .type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1, .field_index = 0,
	  .input_index = 0, .offset = offsetof(struct dp_acl_key6, proto) },
	DP_ACL6_WORD(DP_ACL6_SRC, src, 0), DP_ACL6_WORD(DP_ACL6_SRC, src, 1),
	DP_ACL6_WORD(DP_ACL6_SRC, src, 2), DP_ACL6_WORD(DP_ACL6_SRC, src, 3),
	DP_ACL6_WORD(DP_ACL6_DST, dst, 0), DP_ACL6_WORD(DP_ACL6_DST, dst, 1),
	DP_ACL6_WORD(DP_ACL6_DST, dst, 2), DP_ACL6_WORD(DP_ACL6_DST, dst, 3),
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = DP_ACL6_SPORT, .input_index = 9,
	  .offset = offsetof(struct dp_acl_key6, sport) },
	{ .type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
	  .field_index = DP_ACL6_DPORT, .input_index = 9,
	  .offset = offsetof(struct dp_acl_key6, dport) },
};

RTE_ACL_RULE_DEF(dp_acl_rule_any, DP_ACL6_FIELDS);

static const char *const dp_acl_role[DP_PORT__COUNT] = { "outside",
							 "inside" };

void
dp_acl_free(struct dp_acl *acl)
{
	if (acl == NULL)
		return;
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		rte_acl_free(acl->port[r].ctx[0]);
		rte_acl_free(acl->port[r].ctx[1]);
		rte_free(acl->port[r].slot);
	}
	rte_free(acl);
}

/* Register rule->index's {permit, deny} pair on its port, once. */
static int
dp_acl_counters(struct dp *dp, const struct dp_acl_rule *rule)
{
	int *id = &dp->acl_ctr[rule->port][rule->index];
	char prefix[32], n_permit[40], n_deny[40], h_permit[64], h_deny[64];
	const char *names[2] = { n_permit, n_deny };
	const char *helps[2] = { h_permit, h_deny };
	int base;

	if (*id > 0)
		return 0;
	snprintf(prefix, sizeof(prefix), "dp_%s", dp_acl_role[rule->port]);
	snprintf(n_permit, sizeof(n_permit), "acl_rule%u_permit", rule->index);
	snprintf(n_deny, sizeof(n_deny), "acl_rule%u_deny", rule->index);
	snprintf(h_permit, sizeof(h_permit), "frames dataplane.acl[%u] "
			"permitted", rule->index);
	snprintf(h_deny, sizeof(h_deny), "dropped: dataplane.acl[%u] denied",
			rule->index);
	base = stats_block_register(dp->reg, prefix, names, helps, 2,
			STATS_KIND_COUNTER);
	if (base < 0)
		return base;
	*id = base + 1;
	return 0;
}

/* A prefix over 32-bit word k of an address: how many of its bits. */
static uint32_t
dp_acl_word_prefix(unsigned prefix, unsigned k)
{
	if (prefix <= 32 * k)
		return 0;
	return prefix - 32 * k >= 32 ? 32 : prefix - 32 * k;
}

/* Address words in host order, as rte_acl takes rule values. */
static uint32_t
dp_acl_word(const uint8_t *ip, unsigned k, uint32_t bits)
{
	uint32_t v;

	if (bits == 0)
		return 0;
	memcpy(&v, ip + 4 * k, 4);
	return ntohl(v);
}

static void
dp_acl_fill(struct dp_acl_rule_any *ar, const struct dp_acl_rule *r,
		int family, uint32_t prio, uint32_t userdata)
{
	const struct dp_cidr *addr[2] = { &r->src, &r->dst };

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = (int32_t)prio;
	ar->data.userdata = userdata;
	ar->field[0].value.u8 = r->any_proto ? 0 : r->proto;
	ar->field[0].mask_range.u8 = r->any_proto ? 0 : 0xff;
	if (family == AF_INET) {
		for (unsigned a = 0; a < 2; a++) {
			uint32_t bits = addr[a]->family ? addr[a]->prefix : 0;

			ar->field[DP_ACL4_SRC + a].value.u32 =
				dp_acl_word(addr[a]->ip, 0, bits);
			ar->field[DP_ACL4_SRC + a].mask_range.u32 = bits;
		}
		ar->field[DP_ACL4_SPORT].value.u16 = r->sport_lo;
		ar->field[DP_ACL4_SPORT].mask_range.u16 = r->sport_hi;
		ar->field[DP_ACL4_DPORT].value.u16 = r->dport_lo;
		ar->field[DP_ACL4_DPORT].mask_range.u16 = r->dport_hi;
		return;
	}
	for (unsigned a = 0; a < 2; a++) {
		unsigned base = a ? DP_ACL6_DST : DP_ACL6_SRC;
		unsigned prefix = addr[a]->family ? addr[a]->prefix : 0;

		for (unsigned k = 0; k < 4; k++) {
			uint32_t bits = dp_acl_word_prefix(prefix, k);

			ar->field[base + k].value.u32 =
				dp_acl_word(addr[a]->ip, k, bits);
			ar->field[base + k].mask_range.u32 = bits;
		}
	}
	ar->field[DP_ACL6_SPORT].value.u16 = r->sport_lo;
	ar->field[DP_ACL6_SPORT].mask_range.u16 = r->sport_hi;
	ar->field[DP_ACL6_DPORT].value.u16 = r->dport_lo;
	ar->field[DP_ACL6_DPORT].mask_range.u16 = r->dport_hi;
}

/* One port's context for one family; *ctx stays NULL without rules. */
static int
dp_acl_build_ctx(struct dp *dp, unsigned role, int family,
		const struct dp_acl_rule *rules, unsigned n,
		struct rte_acl_ctx **ctx)
{
	unsigned nf = family == AF_INET ? DP_ACL4_FIELDS : DP_ACL6_FIELDS;
	struct rte_acl_config cfg = { .num_categories = 1,
				      .num_fields = nf };
	struct rte_acl_param param = {
		.socket_id = SOCKET_ID_ANY,
		.rule_size = RTE_ACL_RULE_SZ(nf),
	};
	struct dp_acl_rule_any ar;
	unsigned count = 0, slot = 0;
	char name[RTE_ACL_NAMESIZE];
	int rc;

	for (unsigned i = 0; i < n; i++)
		if (rules[i].port == role &&
		    (rules[i].family == 0 || rules[i].family == family))
			count++;
	if (count == 0)
		return 0;
	snprintf(name, sizeof(name), "dp_acl%c_%u_%u",
			family == AF_INET ? '4' : '6', role, dp->acl_gen);
	param.name = name;
	param.max_rule_num = count;
	*ctx = rte_acl_create(&param);
	if (*ctx == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		if (rules[i].port != role)
			continue;
		slot++;
		if (rules[i].family != 0 && rules[i].family != family)
			continue;
		/* First match wins: earlier rules rank higher. */
		dp_acl_fill(&ar, &rules[i], family, n - i, slot);
		rc = rte_acl_add_rules(*ctx, (const struct rte_acl_rule *)&ar,
				1);
		if (rc < 0)
			return rc;
	}
	memcpy(cfg.defs, family == AF_INET ? dp_acl4_defs : dp_acl6_defs,
			nf * sizeof(cfg.defs[0]));
	rc = rte_acl_build(*ctx, &cfg);
	return rc < 0 ? rc : 0;
}

int
dp_set_acl(struct dp *dp, const struct dp_acl_rule *rules, unsigned n)
{
	struct dp_acl *acl;
	int rc = 0;

	for (unsigned i = 0; i < n; i++)
		if (rules[i].index >= DP_ACL_MAX_RULES ||
		    rules[i].port >= DP_PORT__COUNT)
			return -EINVAL;
	acl = rte_zmalloc("dp_acl", sizeof(*acl), RTE_CACHE_LINE_SIZE);
	if (acl == NULL)
		return -ENOMEM;
	dp->acl_gen++;
	for (unsigned r = 0; rc == 0 && r < DP_PORT__COUNT; r++) {
		struct dp_acl_port *ap = &acl->port[r];

		for (unsigned i = 0; i < n; i++)
			ap->n += rules[i].port == r;
		ap->slot = rte_zmalloc("dp_acl_slot",
				(ap->n ? ap->n : 1) * sizeof(*ap->slot), 0);
		if (ap->slot == NULL) {
			rc = -ENOMEM;
			break;
		}
		for (unsigned i = 0, s = 0; rc == 0 && i < n; i++) {
			if (rules[i].port != r)
				continue;
			rc = dp_acl_counters(dp, &rules[i]);
			ap->slot[s].action = rules[i].action;
			ap->slot[s].ctr = (unsigned)(dp->acl_ctr[r][
					rules[i].index] - 1);
			s++;
		}
		if (rc == 0)
			rc = dp_acl_build_ctx(dp, r, AF_INET, rules, n,
					&ap->ctx[0]);
		if (rc == 0)
			rc = dp_acl_build_ctx(dp, r, AF_INET6, rules, n,
					&ap->ctx[1]);
	}
	if (rc < 0) {
		dp_acl_free(acl);
		return rc;
	}
	dp_snapshot_swap((void **)&dp->acl, acl, dp_acl_free_any);
	return 0;
}

void
dp_acl_free_any(void *acl)
{
	dp_acl_free(acl);
}

void
dp_acl_classify(const struct dp_acl_port *ap, const struct dp_acl_batch *b,
		uint32_t *res)
{
	const uint8_t *data[2][DP_BURST];
	uint32_t out[2][DP_BURST];
	uint8_t idx[2][DP_BURST];
	unsigned n[2] = { 0, 0 };

	for (unsigned i = 0; i < b->n; i++) {
		const struct dp_acl_pending *pk = &b->pkt[i];
		unsigned f = pk->family == AF_INET6;

		res[i] = 0;
		if (ap->ctx[f] == NULL)
			continue;
		data[f][n[f]] = f ? (const uint8_t *)&pk->key.k6 :
				    (const uint8_t *)&pk->key.k4;
		idx[f][n[f]++] = (uint8_t)i;
	}
	for (unsigned f = 0; f < 2; f++) {
		if (n[f] == 0)
			continue;
		/* Cannot fail with valid arguments: a built context, one
		 * category. */
		if (rte_acl_classify(ap->ctx[f], data[f], out[f], n[f], 1) < 0)
			continue;
		for (unsigned j = 0; j < n[f]; j++)
			res[idx[f][j]] = out[f][j];
	}
}
