/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include "control/edge_config.h"

static const cyaml_schema_field_t admin_cfg_fields[] = {
	CYAML_FIELD_STRING_PTR("socket", CYAML_FLAG_POINTER, struct admin_cfg,
			socket, 2, 107 /* sun_path, NUL excluded */),
	CYAML_FIELD_END
};

/* Each module's section under its own key; optional sections take their
 * module's defaults. */
static const cyaml_schema_field_t edge_cfg_fields[] = {
	CYAML_FIELD_MAPPING("log", CYAML_FLAG_OPTIONAL, struct edge_cfg, log,
			log_cfg_fields),
	CYAML_FIELD_MAPPING("sip", CYAML_FLAG_OPTIONAL, struct edge_cfg, sip,
			sip_cfg_fields),
	CYAML_FIELD_MAPPING("admin", CYAML_FLAG_DEFAULT, struct edge_cfg, admin,
			admin_cfg_fields),
	CYAML_FIELD_MAPPING("dataplane", CYAML_FLAG_DEFAULT, struct edge_cfg,
			dataplane, dp_cfg_fields),
	CYAML_FIELD_STRING_PTR("state_dir", CYAML_FLAG_POINTER, struct edge_cfg,
			state_dir, 1, 4095),
	CYAML_FIELD_MAPPING("domains", CYAML_FLAG_DEFAULT, struct edge_cfg,
			domains, policy_domains_cfg_fields),
	CYAML_FIELD_MAPPING("presence", CYAML_FLAG_OPTIONAL, struct edge_cfg,
			presence, pres_limits_cfg_fields),
	CYAML_FIELD_SEQUENCE("users", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct edge_cfg, users, &policy_user_cfg_schema, 0,
			CYAML_UNLIMITED),
	CYAML_FIELD_MAPPING("tcp", CYAML_FLAG_OPTIONAL, struct edge_cfg, tcp,
			ctl_tcp_cfg_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t edge_cfg_top = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct edge_cfg,
			edge_cfg_fields),
};

static const struct cfg_range *const edge_cfg_ranges[] = {
	log_cfg_ranges,
	sip_cfg_ranges,
	dp_cfg_ranges,
	pres_limits_cfg_ranges,
	ctl_tcp_cfg_ranges,
	NULL,
};

static const struct cfg_schema edge_cfg_schema = {
	.top = &edge_cfg_top,
	.ranges = edge_cfg_ranges,
};

static int
edge_cfg_check(const struct edge_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	int rc = log_cfg_check(&cfg->log, doc, err);

	if (rc < 0)
		return rc;
	if (cfg->admin.socket[0] != '/') {
		cfg_errorf(err, doc, "admin.socket", "'%s' is not an absolute "
				"path", cfg->admin.socket);
		return -EINVAL;
	}
	if (cfg->state_dir[0] != '/') {
		cfg_errorf(err, doc, "state_dir", "'%s' is not an absolute path",
				cfg->state_dir);
		return -EINVAL;
	}
	rc = dp_cfg_check(&cfg->dataplane, doc, err);
	if (rc < 0)
		return rc;
	rc = ctl_tcp_cfg_check(&cfg->tcp, &cfg->dataplane, doc, err);
	if (rc < 0)
		return rc;
	return policy_cfg_check(&cfg->domains, cfg->users, cfg->users_count,
			&cfg->presence, doc, err);
}

int
edge_cfg_load(const char *path, struct edge_cfg **cfg, struct cfg_err *err)
{
	struct cfg_doc *doc = NULL;
	void *data = NULL;
	int rc;

	if (path)
		rc = cfg_load_file(path, &edge_cfg_schema, &data, &doc, err);
	else
		rc = cfg_load_string("<embedded>", edge_cfg_default_yaml,
				edge_cfg_default_yaml_len, &edge_cfg_schema,
				&data, &doc, err);
	if (rc < 0)
		return rc;
	rc = edge_cfg_check(data, doc, err);
	cfg_doc_free(doc);
	if (rc < 0) {
		cfg_free(&edge_cfg_schema, data);
		return rc;
	}
	*cfg = data;
	return 0;
}

void
edge_cfg_free(struct edge_cfg *cfg)
{
	if (cfg)
		cfg_free(&edge_cfg_schema, cfg);
}
