/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include "platform/log/log_config.h"

static const cyaml_strval_t log_cfg_levels[] = {
#define LOG_CFG_LEVEL_(sym, name) { name, LOG_LEVEL_##sym },
	LOG_LEVELS(LOG_CFG_LEVEL_)
#undef LOG_CFG_LEVEL_
};

static const cyaml_schema_field_t log_cfg_module_fields[] = {
	CYAML_FIELD_STRING_PTR("module", CYAML_FLAG_POINTER,
			struct log_cfg_module, module, 1, 32),
	CYAML_FIELD_ENUM("level", CYAML_FLAG_STRICT, struct log_cfg_module,
			level, log_cfg_levels, CYAML_ARRAY_LEN(log_cfg_levels)),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t log_cfg_module_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct log_cfg_module,
			log_cfg_module_fields),
};

const cyaml_schema_field_t log_cfg_fields[] = {
	CYAML_FIELD_ENUM("level", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
			struct log_cfg, level, log_cfg_levels,
			CYAML_ARRAY_LEN(log_cfg_levels)),
	CYAML_FIELD_SEQUENCE("modules", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct log_cfg, modules, &log_cfg_module_schema, 0,
			LOG_MOD_COUNT),
	CYAML_FIELD_END
};


const struct cfg_range log_cfg_ranges[] = {
	CFG_DEFAULT("log.level", LOG_LEVEL_DEFAULT),
	CFG_RANGE_END,
};

int
log_cfg_check(const struct log_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	for (unsigned i = 0; i < cfg->modules_count; i++) {
		char path[64];

		if (log_module_find(cfg->modules[i].module) >= 0)
			continue;
		snprintf(path, sizeof(path), "log.modules[%u].module", i);
		cfg_errorf(err, doc, path, "unknown module '%s'",
				cfg->modules[i].module);
		return -EINVAL;
	}
	return 0;
}

void
log_cfg_apply(const struct log_cfg *cfg)
{
	log_module_set_level("*", cfg->level);
	for (unsigned i = 0; i < cfg->modules_count; i++)
		log_module_set_level(cfg->modules[i].module,
				cfg->modules[i].level);
}
