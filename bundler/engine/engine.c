// SPDX-License-Identifier: GPL-2.0-or-later
/* engine.c - the engine's session: options, lock, state directory, audit; see engine.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/journal.h"
#include "engine/lock.h"
#include "engine/recover.h"
#include "engine/state-dir.h"

void eng_init(struct engine *e, struct klpb_ctx *ctx)
{
	memset(e, 0, sizeof(*e));
	e->ctx = ctx;
	e->lock_fd = -1;
	e->timeout_ms = ENG_DEFAULT_TIMEOUT_MS;
	e->busy_ms = 10000;
	e->progress = !ctx->json && isatty(STDERR_FILENO);
}

int eng_option(struct engine *e, int c, const char *arg)
{
	char *end;
	double s;

	switch (c) {
	case ENG_OPT_STATE_DIR:
		sd_set_dir(arg);
		return 1;
	case 'w':
		e->wait_lock = true;
		return 1;
	case 't':
		s = strtod(arg, &end);
		if (*end || s <= 0 || s > 86400)
			return usage_err(e->ctx,
					 "--timeout needs seconds (0 < S <= 86400), not '%s'", arg);
		e->timeout_ms = (int)(s * 1000);
		if (e->busy_ms > e->timeout_ms)
			e->busy_ms = e->timeout_ms;
		return 1;
	}
	return 0;
}

void eng_audit(struct engine *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	openlog("klp-bundle", LOG_PID, LOG_DAEMON);
	syslog(LOG_NOTICE, "%s", msg);
	closelog();
	p_dbg(e->ctx, "audit: %s", msg);
}

int eng_journal_step(struct engine *e, struct journal *j, enum eng_step step)
{
	int rc = journal_step(j, step);

	if (rc < 0)
		p_err(e->ctx, rc, "cannot write the journal in '%s': %s", sd_dir(), strerror(-rc));
	return rc;
}

int eng_journal_clear(struct engine *e)
{
	int rc = journal_clear();

	if (rc < 0)
		p_err(e->ctx, rc, "cannot remove the journal in '%s': %s", sd_dir(), strerror(-rc));
	return rc;
}

static int take_lock(struct engine *e)
{
	pid_t holder;
	char *path;
	int rc = lock_take(e->wait_lock, &holder);

	if (rc == -EBUSY && holder > 0)
		p_err(e->ctx, rc, "another klp-bundle command holds the lock (pid %d)",
		      (int)holder);
	else if (rc == -EBUSY)
		p_err(e->ctx, rc, "another klp-bundle command holds the lock");
	else if (rc < 0) {
		path = lock_path();
		p_err(e->ctx, rc, "cannot take the lock '%s': %s", path ? path : "", strerror(-rc));
		free(path);
	}
	return rc;
}

int eng_begin(struct engine *e)
{
	int rc = take_lock(e);

	if (rc < 0)
		return rc;
	e->lock_fd = rc;
	eng_stop_at(ENG_STEP_LOCKED);
	rc = sd_open(true);
	if (rc < 0)
		p_err(e->ctx, rc, "state directory '%s': %s", sd_dir(),
		      rc == -EPERM ? "not owned by this user, or writable by group or others" :
				     strerror(-rc));
	else
		rc = eng_recover(e);
	if (rc < 0) {
		eng_end(e);
		return rc;
	}
	e->recovered = rc == 1;
	return 0;
}

void eng_end(struct engine *e)
{
	lock_release(e->lock_fd);
	e->lock_fd = -1;
}
