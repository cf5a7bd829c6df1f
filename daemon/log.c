/* SPDX-License-Identifier: ISC */
/*
 * Logging for nudged: one line per event on stderr. Under systemd (stderr is
 * the journal stream named by $JOURNAL_STREAM) each line carries the syslog
 * priority prefix "<N>" so journald keeps the level; elsewhere lines are plain.
 * Callers never pass webhook URLs or secrets here, nor a request's query
 * string or header values that may hold one (paths only). Every line goes
 * through log_escape(), so a control character a request carried (ESC, BEL,
 * a newline forging a second line) is written as \xNN, never raw.
 */
#include "log.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int log_verbose;
static int log_to_journal;

static void log_vmsg(enum log_level, const char *, va_list, int)
	__attribute__((format(printf, 2, 0)));
static void log_event_cb(int, const char *);
static int log_stderr_is_journal(void);
static int log_is_control(const unsigned char *);

/* True when stderr is the very stream $JOURNAL_STREAM ("dev:ino") names. */
static int
log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(2, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

/* Route libevent's own diagnostics into our log at a matching level. */
static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

/* Choose the output style once; verbose enables debug lines. */
void
log_init(int verbose)
{
	log_verbose = verbose;
	log_to_journal = log_stderr_is_journal();
	event_set_log_callback(log_event_cb);
}

/* Whether s starts with a control character: C0, DEL, or C1 in UTF-8. */
static int
log_is_control(const unsigned char *s)
{
	return s[0] < 0x20 || s[0] == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 &&
	    s[1] <= 0x9f);
}

/*
 * Copy s into out (size bytes, NUL-terminated, cut short if need be) with
 * each control character as \xNN, so what a
 * request carried reaches the journal as text, never as terminal controls.
 */
void
log_escape(const char *s, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0' && n + 1 < size; p++) {
		if (log_is_control(p)) {
			if (n + 5 > size - 1)
				break;
			if (*p == 0xc2)
				n += (size_t)snprintf(out + n, size - n, "\\x%02x",
				    *++p);
			else
				n += (size_t)snprintf(out + n, size - n, "\\x%02x",
				    *p);
			continue;
		}
		out[n++] = (char)*p;
	}
	out[n] = '\0';
}

/* Write one line; with_errno appends strerror of the errno at entry. */
static void
log_vmsg(enum log_level level, const char *fmt, va_list ap, int with_errno)
{
	int saved_errno = errno;
	char line[2048], safe[2048];
	int n;

	if (level == LOG_LEVEL_DEBUG && !log_verbose)
		return;
	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		line[0] = '\0';
	/* One event is one line, in plain text, whatever a value carried. */
	log_escape(line, safe, sizeof safe);
	if (log_to_journal)
		fprintf(stderr, "<%d>", (int)level);
	if (with_errno)
		fprintf(stderr, "%s: %s\n", safe, strerror(saved_errno));
	else
		fprintf(stderr, "%s\n", safe);
	errno = saved_errno;
}

/* Log at an explicit level. */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap, 0);
	va_end(ap);
}

/* Log a routine event. */
void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_INFO, fmt, ap, 0);
	va_end(ap);
}

/* Log a significant but normal event (skips, catch-ups, reloads). */
void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_NOTICE, fmt, ap, 0);
	va_end(ap);
}

/* Log a warning with strerror(errno) appended. */
void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARNING, fmt, ap, 1);
	va_end(ap);
}

/* Log a warning without errno. */
void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARNING, fmt, ap, 0);
	va_end(ap);
}

/* Log a debug line, shown only when verbose. */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

/* Log an error with strerror(errno) and exit with the runtime-failure code. */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, fmt, ap, 1);
	va_end(ap);
	exit(3);
}

/* Log an error and exit with the runtime-failure code. */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERR, fmt, ap, 0);
	va_end(ap);
	exit(3);
}
