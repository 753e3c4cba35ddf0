/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "platform/log/log.h"
#include "platform/timer/time.h"

/* Room kept at the end of a line for " (suppressed N similar)". */
#define LOG_SUFFIX_MAX 48
/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and its NUL */
#define LOG_STAMP_MAX 32
#define LOG_ELLIPSIS "..."
#define LOG_ELLIPSIS_LEN (sizeof(LOG_ELLIPSIS) - 1)
#define LOG_RL_COUNT_MASK UINT64_C(0xffffffff)
#define LOG_RL_SEC_SHIFT 32

#define LOG_LEVEL_INIT_(sym, name) [LOG_MOD_##sym] = LOG_LEVEL_DEFAULT,
_Atomic uint8_t log_mod_levels[LOG_MOD_COUNT] = {LOG_MODULES(LOG_LEVEL_INIT_)};
#undef LOG_LEVEL_INIT_

#define LOG_NAME_(sym, name) name,
static const char *const log_level_names[LOG_LEVEL_COUNT] = {
	LOG_LEVELS(LOG_NAME_)};
static const char *const log_module_names[LOG_MOD_COUNT] = {
	LOG_MODULES(LOG_NAME_)};
#undef LOG_NAME_

/*
 * Process-wide by nature (stderr is too): the logger is the one facility
 * every module reaches without a context. NULL means the default. Atomic so
 * that a late log_output_set() does not tear against writers.
 */
static _Atomic(FILE *) log_out;
static _Atomic log_clock_fn log_clock_realtime;
static _Atomic log_clock_fn log_clock_monotonic;

static uint64_t
log_now_realtime(void)
{
	log_clock_fn fn =
		atomic_load_explicit(&log_clock_realtime, memory_order_relaxed);

	return fn != NULL ? fn() : time_realtime_ns();
}

static uint64_t
log_now_monotonic(void)
{
	log_clock_fn fn = atomic_load_explicit(
		&log_clock_monotonic, memory_order_relaxed);

	return fn != NULL ? fn() : time_now_ns();
}

const char *
log_level_str(enum log_level level)
{
	if ((unsigned)level >= LOG_LEVEL_COUNT)
		return "unknown";
	return log_level_names[level];
}

int
log_level_parse(const char *s, enum log_level *level)
{
	if (s == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < LOG_LEVEL_COUNT; i++) {
		if (strcasecmp(s, log_level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	/* syslog's spellings, which administrators type out of habit */
	if (strcasecmp(s, "warning") == 0) {
		*level = LOG_LEVEL_WARN;
		return 0;
	}
	if (strcasecmp(s, "err") == 0) {
		*level = LOG_LEVEL_ERROR;
		return 0;
	}
	return -EINVAL;
}

const char *
log_module_str(enum log_module mod)
{
	if ((unsigned)mod >= LOG_MOD_COUNT)
		return "unknown";
	return log_module_names[mod];
}

int
log_module_find(const char *name)
{
	if (name == NULL)
		return -ENOENT;
	for (unsigned i = 0; i < LOG_MOD_COUNT; i++)
		if (strcmp(name, log_module_names[i]) == 0)
			return (int)i;
	return -ENOENT;
}

int
log_module_set_level(const char *name, enum log_level level)
{
	int mod;

	if ((unsigned)level >= LOG_LEVEL_COUNT)
		return -EINVAL;
	if (name != NULL && strcmp(name, "*") == 0) {
		for (unsigned i = 0; i < LOG_MOD_COUNT; i++)
			atomic_store_explicit(&log_mod_levels[i],
				(uint8_t)level, memory_order_relaxed);
		return 0;
	}
	mod = log_module_find(name);
	if (mod < 0)
		return mod;
	atomic_store_explicit(
		&log_mod_levels[mod], (uint8_t)level, memory_order_relaxed);
	return 0;
}

enum log_level
log_module_get_level(enum log_module mod)
{
	if ((unsigned)mod >= LOG_MOD_COUNT)
		return LOG_LEVEL_DEFAULT;
	return (enum log_level)atomic_load_explicit(
		&log_mod_levels[mod], memory_order_relaxed);
}

void
log_output_set(FILE *out)
{
	atomic_store_explicit(&log_out, out, memory_order_release);
}

void
log_clock_set(log_clock_fn realtime, log_clock_fn monotonic)
{
	atomic_store_explicit(
		&log_clock_realtime, realtime, memory_order_relaxed);
	atomic_store_explicit(
		&log_clock_monotonic, monotonic, memory_order_relaxed);
}

int
log_rl_acquire(struct log_rl *rl, unsigned limit, uint64_t *suppressed)
{
	uint64_t sec = time_ns_to_s(log_now_monotonic()) & LOG_RL_COUNT_MASK;
	uint64_t old = atomic_load_explicit(&rl->window, memory_order_relaxed);
	uint64_t next;

	if (limit == 0)
		limit = LOG_RL_DEFAULT;
	/*
	 * One CAS on (second, count) decides who may write, so threads on
	 * the same call site never pass more than limit lines in a second.
	 * The dropped path is a load and an add, never a CAS loop. Relaxed
	 * order is enough: the two words are counters, nothing is published
	 * through them.
	 */
	do {
		if ((old >> LOG_RL_SEC_SHIFT) != sec) {
			next = sec << LOG_RL_SEC_SHIFT | 1;
		} else if ((old & LOG_RL_COUNT_MASK) >= limit) {
			atomic_fetch_add_explicit(
				&rl->suppressed, 1, memory_order_relaxed);
			return -EAGAIN;
		} else {
			next = old + 1;
		}
	} while (!atomic_compare_exchange_weak_explicit(&rl->window, &old, next,
		memory_order_relaxed, memory_order_relaxed));
	/* An exchange takes each drop exactly once, whichever thread wins. */
	*suppressed = atomic_exchange_explicit(
		&rl->suppressed, 0, memory_order_relaxed);
	return 0;
}

/* "2023-11-14T22:13:20.123Z" for ns since the Unix epoch. */
static void
log_stamp(char *buf, size_t size, uint64_t ns)
{
	time_t sec = (time_t)time_ns_to_s(ns);
	unsigned ms = (unsigned)time_ns_to_ms(ns % TIME_NS_PER_SEC);
	struct tm tm;
	size_t n;

	if (gmtime_r(&sec, &tm) == NULL ||
		(n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, size, "-");
		return;
	}
	snprintf(buf + n, size - n, ".%03uZ", ms);
}

/* One stdio call under the stream's lock: lines never interleave. */
static void
log_emit(const char *line, size_t len)
{
	FILE *out = atomic_load_explicit(&log_out, memory_order_acquire);

	if (out == NULL)
		out = stderr;
	flockfile(out);
	(void)fwrite(line, 1, len, out);
	/* A log that sits in a buffer is lost with the crash it explains. */
	(void)fflush(out);
	funlockfile(out);
}

__attribute__((format(printf, 4, 0))) static void
log_vwrite(enum log_module mod, enum log_level level, uint64_t suppressed,
	const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char stamp[LOG_STAMP_MAX];
	size_t len, room, head;
	int saved_errno = errno; /* callers log, then return -errno */
	int n;

	log_stamp(stamp, sizeof(stamp), log_now_realtime());
	n = snprintf(line, sizeof(line), "%s %s %s: ", stamp,
		log_level_str(level), log_module_str(mod));
	head = len = n > 0 ? (size_t)n : 0;
	room = sizeof(line) - len - LOG_SUFFIX_MAX;
	n = vsnprintf(line + len, room, fmt, ap);
	if (n < 0) {
		n = 0;
	} else if ((size_t)n >= room) {
		/* Truncated: say so rather than cut a word silently. */
		n = (int)(room - 1);
		memcpy(line + len + (size_t)n - LOG_ELLIPSIS_LEN, LOG_ELLIPSIS,
			LOG_ELLIPSIS_LEN);
	}
	len += (size_t)n;
	if (len > head && line[len - 1] == '\n')
		len--;
	if (suppressed != 0)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
			" (suppressed %" PRIu64 " similar)", suppressed);
	line[len++] = '\n';
	log_emit(line, len);
	errno = saved_errno;
}

void
log_write(enum log_module mod, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if ((unsigned)mod >= LOG_MOD_COUNT || !log_is_enabled(mod, level))
		return;
	va_start(ap, fmt);
	log_vwrite(mod, level, 0, fmt, ap);
	va_end(ap);
}

void
log_write_rl(enum log_module mod, enum log_level level, uint64_t suppressed,
	const char *fmt, ...)
{
	va_list ap;

	/* No level check: the caller took this line from its budget and the
	 * suppressed count it carries would be lost. */
	if ((unsigned)mod >= LOG_MOD_COUNT)
		return;
	va_start(ap, fmt);
	log_vwrite(mod, level, suppressed, fmt, ap);
	va_end(ap);
}
