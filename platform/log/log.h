/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log: leveled, per-module, timestamped, thread-safe logging.
 *
 * A line reads
 *
 *	2023-11-14T22:13:20.123Z warn sip: text of the message
 *
 * (UTC ISO-8601 with milliseconds, level, module), and is written with one
 * stdio call under the stream's lock, so lines from different threads never
 * interleave. Output goes to stderr unless log_output_set() names another
 * stream at start-up.
 *
 * Modules are a fixed list (LOG_MODULES below), not registered at run time:
 * the macros then resolve a module to a constant, and LOG_ENABLED() costs one
 * relaxed load and a compare. Adding a module is one line in that list.
 *
 * Levels are per module, default LOG_LEVEL_DEFAULT (notice), changeable at
 * any time from any thread (config reload, sipedgectl).
 *
 * Hot paths (the control plane under load; dataplane workers do not log at
 * all, they count) use LOG_RL(): at most N lines per second per call site,
 * and the next line after a suppressed stretch ends with
 * "(suppressed 1234 similar)".
 *
 * Use:
 *	LOG(SIP, WARN, "bad Via from %s", addr);
 *	LOG_RL(PRES, INFO, "NOTIFY to %.*s failed", SSTR_FMT(uri));
 *	if (LOG_ENABLED(DNS, DEBUG))
 *		dump_answer(...);
 *
 * Names avoid <syslog.h>'s LOG_INFO, LOG_DEBUG, ...: both headers can be
 * included together.
 */
#ifndef SIPEDGE_PLATFORM_LOG_LOG_H
#define SIPEDGE_PLATFORM_LOG_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** Levels, most severe first: _(SYMBOL, name). */
#define LOG_LEVELS(_)                                                          \
	_(ERROR, "error")   /**< something failed and was not recovered */     \
	_(WARN, "warn")	    /**< something failed and was worked around */     \
	_(NOTICE, "notice") /**< significant normal event (start, reload) */   \
	_(INFO, "info")	    /**< routine event */                              \
	_(DEBUG, "debug")   /**< detail for developers */

#define LOG_LEVEL_ENUM_(sym, name) LOG_LEVEL_##sym,
/** A log level; lower is more severe. */
enum log_level { LOG_LEVELS(LOG_LEVEL_ENUM_) LOG_LEVEL_COUNT };
#undef LOG_LEVEL_ENUM_

/**
 * Modules that log: _(SYMBOL, name). The name is what configuration and
 * sipedgectl use and what appears in each line.
 */
#define LOG_MODULES(_)                                                         \
	_(SIP, "sip")	  /**< SIP wire format, transactions, dialogs */       \
	_(DP, "dp")	  /**< dataplane set-up and control (not its loop) */  \
	_(CTL, "ctl")	  /**< control-plane threads, daemon main */           \
	_(PRES, "pres")	  /**< presence engine, resource lists, registrar */   \
	_(TLS, "tls")	  /**< TLS proxy */                                    \
	_(LB, "lb")	  /**< routing and load balancing */                   \
	_(DNS, "dns")	  /**< resolver */                                     \
	_(CFG, "cfg")	  /**< configuration and policy store */               \
	_(PIDF, "pidf")	  /**< presence documents */                           \
	_(ADMIN, "admin") /**< admin socket, sipedgectl server side */         \
	_(PLAT, "plat")	  /**< platform: timers, stats, allocator */

#define LOG_MODULE_ENUM_(sym, name) LOG_MOD_##sym,
/** A module id, small and dense: usable as an array index. */
enum log_module { LOG_MODULES(LOG_MODULE_ENUM_) LOG_MOD_COUNT };
#undef LOG_MODULE_ENUM_

/** Every module's level until changed. */
#define LOG_LEVEL_DEFAULT LOG_LEVEL_NOTICE
/** Longest line written, newline included; longer messages end in "...". */
#define LOG_LINE_MAX 1024
/** Lines per second per call site of LOG_RL(). */
#define LOG_RL_DEFAULT 10

/**
 * Per-module levels: internal to log.c and log_is_enabled(). Read with
 * relaxed loads (a level change becomes visible to other threads soon, not
 * at once, which is all logging needs); never write it directly.
 */
extern _Atomic uint8_t log_mod_levels[LOG_MOD_COUNT];

/**
 * Rate-limiter state of one call site (a static in LOG_RL()). Zero is the
 * initial state. Lock-free: C11 atomics only, safe when many threads share
 * the call site.
 */
struct log_rl {
	/** (second << 32) | lines written in that second */
	_Atomic uint64_t window;
	/** lines dropped since the last one written */
	_Atomic uint64_t suppressed;
};

/**
 * A clock for the logger: nanoseconds (CLOCK_REALTIME since the Unix epoch
 * for timestamps, CLOCK_MONOTONIC for rate limits). Must be thread-safe.
 */
typedef uint64_t (*log_clock_fn)(void);

/**
 * Whether a module logs at a level: one relaxed load and a compare.
 *
 * @param mod    module id (< LOG_MOD_COUNT).
 * @param level  level (< LOG_LEVEL_COUNT).
 * @return true when a line at level would be written. Thread-safe.
 */
static inline bool
log_is_enabled(enum log_module mod, enum log_level level)
{
	return (unsigned)level <=
	       atomic_load_explicit(&log_mod_levels[mod], memory_order_relaxed);
}

/** LOG_ENABLED(SIP, DEBUG): log_is_enabled() with symbolic names. */
#define LOG_ENABLED(mod, lvl) log_is_enabled(LOG_MOD_##mod, LOG_LEVEL_##lvl)

/**
 * LOG(SIP, WARN, fmt, ...): write a line when the module's level allows.
 * Arguments are not evaluated when it does not.
 */
#define LOG(mod, lvl, ...)                                                     \
	do {                                                                   \
		if (log_is_enabled(LOG_MOD_##mod, LOG_LEVEL_##lvl))            \
			log_write(                                             \
				LOG_MOD_##mod, LOG_LEVEL_##lvl, __VA_ARGS__);  \
	} while (0)

/*
 * LOG_RL_N() and LOG_RL() paste the module and level names themselves and
 * hand ids on: a name that is also a macro (a build's -DDEBUG) must not be
 * expanded before it is pasted.
 */
#define LOG_RL_AT_(mod_id, lvl_id, n, ...)                                     \
	do {                                                                   \
		static struct log_rl log_rl_site_;                             \
		uint64_t log_rl_supp_;                                         \
		if (log_is_enabled((mod_id), (lvl_id)) &&                      \
			log_rl_acquire(&log_rl_site_, (n), &log_rl_supp_) ==   \
				0)                                             \
			log_write_rl((mod_id), (lvl_id), log_rl_supp_,         \
				__VA_ARGS__);                                  \
	} while (0)

/**
 * LOG_RL_N(SIP, WARN, n, fmt, ...): like LOG() but at most n lines per
 * second from this call site (all threads together); n = 0 means
 * LOG_RL_DEFAULT. A line written after some were dropped ends with
 * "(suppressed N similar)". Windows are whole seconds of CLOCK_MONOTONIC,
 * so two windows back to back may pass up to 2n lines within one second.
 */
#define LOG_RL_N(mod, lvl, n, ...)                                             \
	LOG_RL_AT_(LOG_MOD_##mod, LOG_LEVEL_##lvl, (n), __VA_ARGS__)

/** LOG_RL(SIP, WARN, fmt, ...): LOG_RL_N() at LOG_RL_DEFAULT lines/s. */
#define LOG_RL(mod, lvl, ...)                                                  \
	LOG_RL_AT_(LOG_MOD_##mod, LOG_LEVEL_##lvl, LOG_RL_DEFAULT, __VA_ARGS__)

/**
 * Write one line (when the module's level allows it). Prefer LOG(), which
 * skips argument evaluation for disabled levels.
 *
 * @param mod    module id.
 * @param level  level.
 * @param fmt    printf format; a trailing newline is optional (one is
 *               dropped, the line always ends with exactly one).
 * Thread-safe: one stdio write under the stream's lock. Errors writing the
 * stream are ignored (logging must not fail its caller).
 */
void log_write(enum log_module mod, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * log_write() for LOG_RL_N(): appends "(suppressed N similar)" when
 * suppressed is not 0. Writes whatever the level (LOG_RL_N() checked it
 * before taking the line from the call site's budget).
 */
void log_write_rl(enum log_module mod, enum log_level level,
	uint64_t suppressed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * Take a line from a call site's budget (the engine of LOG_RL_N()).
 *
 * @param rl          the call site's state.
 * @param limit       lines per second; 0 means LOG_RL_DEFAULT.
 * @param suppressed  out: when 0 is returned, how many lines were dropped
 *                    since the previous one written (reset to 0).
 * @return 0 when the line may be written, -EAGAIN when it is dropped (and
 *         counted). Thread-safe and lock-free; every dropped line is
 *         reported by exactly one later written line.
 */
int log_rl_acquire(struct log_rl *rl, unsigned limit, uint64_t *suppressed);

/**
 * Name of a level ("error", "warn", "notice", "info", "debug").
 * @return a static string; "unknown" when level is out of range.
 */
const char *log_level_str(enum log_level level);

/**
 * Parse a level name, ASCII case-insensitive; "warning" and "err" are
 * accepted as aliases (syslog spellings).
 *
 * @param s      NUL-terminated name (borrowed).
 * @param level  out: the level, written only on success.
 * @return 0, or -EINVAL when s names no level (or is NULL).
 */
int log_level_parse(const char *s, enum log_level *level);

/**
 * Name of a module ("sip", "dp", ...).
 * @return a static string; "unknown" when mod is out of range.
 */
const char *log_module_str(enum log_module mod);

/**
 * Find a module by name (exact, lower case as in LOG_MODULES).
 * @return the module id (>= 0), or -ENOENT.
 */
int log_module_find(const char *name);

/**
 * Set a module's level. The name "*" sets every module.
 *
 * @param name   module name (borrowed).
 * @param level  new level.
 * @return 0, -ENOENT for an unknown module, -EINVAL for a bad level.
 * Thread-safe (relaxed store: other threads see it soon).
 */
int log_module_set_level(const char *name, enum log_level level);

/**
 * A module's current level.
 * @return the level; LOG_LEVEL_DEFAULT when mod is out of range.
 */
enum log_level log_module_get_level(enum log_module mod);

/**
 * Send lines to a stream instead of stderr; NULL restores stderr.
 *
 * @param out  borrowed: the caller keeps it open, and does not close it
 *             while other threads may still log, until it is replaced.
 * Thread-safe, but meant for start-up.
 */
void log_output_set(FILE *out);

/**
 * Replace the clocks, for tests: realtime stamps lines, monotonic drives
 * LOG_RL windows. NULL restores the system clock for that role.
 * Not meant to be called while other threads log.
 */
void log_clock_set(log_clock_fn realtime, log_clock_fn monotonic);

#endif
