// SPDX-License-Identifier: GPL-2.0-or-later
/* deps.c - requires and conflicts matched against bundles; see deps.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/deps.h"
#include "sys/livepatch.h"

bool dep_satisfies(const struct klpb_dep *d, const char *name, uint64_t version)
{
	return strcmp(d->name, name) == 0 && version >= d->min_version &&
	       (!d->has_max || version <= d->max_version);
}

void dep_spec(const struct klpb_dep *d, char *buf, size_t size)
{
	if (d->has_max && d->max_version == d->min_version)
		snprintf(buf, size, "%s =%" PRIu64, d->name, d->min_version);
	else if (d->has_max)
		snprintf(buf, size, "%s >=%" PRIu64 ",<=%" PRIu64, d->name, d->min_version,
			 d->max_version);
	else
		snprintf(buf, size, "%s >=%" PRIu64, d->name, d->min_version);
}

void dep_names(const struct dep_node *set, const size_t *idx, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "", set[idx[i]].name);
}

struct dep_node dep_node_of(const struct lp_bundle *b)
{
	return (struct dep_node){
		.name = b->name, .version = b->version, .core = b->core, .module = b->module
	};
}

int dep_active_nodes(const struct lp_bundle *bs, int n, struct dep_node **out)
{
	int k = 0;

	*out = calloc(n > 0 ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (lp_bundle_active(&bs[i]))
			(*out)[k++] = dep_node_of(&bs[i]);
	return k;
}

static bool any_satisfies(const struct klpb_dep *d, const struct dep_node *set, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (dep_satisfies(d, set[k].name, set[k].version))
			return true;
	return false;
}

bool dep_requires(const struct dep_node *d, const struct dep_node *p)
{
	for (size_t i = 0; d->core && i < d->core->n_requires; i++)
		if (dep_satisfies(&d->core->requires[i], p->name, p->version))
			return true;
	return false;
}

const struct klpb_dep *dep_conflict(const struct dep_node *a, const struct dep_node *b)
{
	for (size_t i = 0; a->core && i < a->core->n_conflicts; i++)
		if (dep_satisfies(&a->core->conflicts[i], b->name, b->version))
			return &a->core->conflicts[i];
	return NULL;
}

const struct klpb_dep *dep_unmet(const struct dep_node *d, const struct dep_node *set, size_t n)
{
	for (size_t i = 0; d->core && i < d->core->n_requires; i++)
		if (!any_satisfies(&d->core->requires[i], set, n))
			return &d->core->requires[i];
	return NULL;
}

size_t dep_broken(const struct dep_node *before, size_t nb, const struct dep_node *after, size_t na,
		  size_t *broken)
{
	size_t count = 0;

	for (size_t k = 0; k < na; k++) {
		const struct klpb_core *c = after[k].core;

		for (size_t i = 0; c && i < c->n_requires; i++) {
			if (any_satisfies(&c->requires[i], before, nb) &&
			    !any_satisfies(&c->requires[i], after, na)) {
				broken[count++] = k;
				break;
			}
		}
	}
	return count;
}

/* ---- the order of apply --installed ---- */

#define PROV_ACTIVE ((size_t)-1) /* an active bundle meets the entry */
#define PROV_NONE ((size_t)-2) /* nothing does */

struct order_ctx {
	const struct dep_node *nodes, *active;
	size_t n, na;
	enum dep_place *place;
	const struct klpb_dep **why;
	bool *placed;
};

/* What meets @d, required by node @self: PROV_ACTIVE, a node's index or PROV_NONE. */
static size_t provider(const struct order_ctx *o, const struct klpb_dep *d, size_t self)
{
	if (any_satisfies(d, o->active, o->na))
		return PROV_ACTIVE;
	for (size_t j = 0; j < o->n; j++)
		if (j != self && dep_satisfies(d, o->nodes[j].name, o->nodes[j].version))
			return j;
	return PROV_NONE;
}

static const struct klpb_dep *req(const struct order_ctx *o, size_t i, size_t k)
{
	return &o->nodes[i].core->requires[k];
}

static size_t n_req(const struct order_ctx *o, size_t i)
{
	return o->nodes[i].core ? o->nodes[i].core->n_requires : 0;
}

static void mark_missing(struct order_ctx *o)
{
	for (size_t i = 0; i < o->n; i++) {
		for (size_t k = 0; k < n_req(o, i) && o->place[i] == DEP_ORDERED; k++) {
			if (provider(o, req(o, i, k), i) == PROV_NONE) {
				o->place[i] = DEP_MISSING;
				o->why[i] = req(o, i, k);
			}
		}
	}
}

/* Nodes requiring one that cannot be applied are blocked, transitively. */
static void mark_blocked(struct order_ctx *o, bool cycles)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < o->n; i++) {
			for (size_t k = 0; k < n_req(o, i) && o->place[i] == DEP_ORDERED; k++) {
				size_t p = provider(o, req(o, i, k), i);

				if (p < o->n &&
				    (o->place[p] != DEP_ORDERED || (cycles && !o->placed[p]))) {
					o->place[i] = DEP_BLOCKED;
					o->why[i] = req(o, i, k);
					changed = true;
				}
			}
		}
	}
}

static bool ready(const struct order_ctx *o, size_t i)
{
	for (size_t k = 0; k < n_req(o, i); k++) {
		size_t p = provider(o, req(o, i, k), i);

		if (p != PROV_ACTIVE && !o->placed[p])
			return false;
	}
	return true;
}

/* The next node to apply: ready, the first by name; o->n when none is. */
static size_t next_ready(const struct order_ctx *o)
{
	size_t best = o->n;

	for (size_t i = 0; i < o->n; i++)
		if (o->place[i] == DEP_ORDERED && !o->placed[i] && ready(o, i) &&
		    (best == o->n || strcmp(o->nodes[i].name, o->nodes[best].name) < 0))
			best = i;
	return best;
}

/* Can @to be reached from @from along unplaced requires? (@seen: room for n) */
static bool reaches(const struct order_ctx *o, size_t from, size_t to, bool *seen)
{
	for (size_t k = 0; k < n_req(o, from); k++) {
		size_t p = provider(o, req(o, from, k), from);

		if (p >= o->n || o->placed[p] || seen[p])
			continue;
		if (p == to)
			return true;
		seen[p] = true;
		if (reaches(o, p, to, seen))
			return true;
	}
	return false;
}

/* Unplaced nodes left after the topological sort: on a cycle, or behind one. */
static int mark_cycles(struct order_ctx *o)
{
	bool *seen = calloc(o->n ? o->n : 1, sizeof(*seen));

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < o->n; i++) {
		if (o->place[i] != DEP_ORDERED || o->placed[i])
			continue;
		memset(seen, 0, o->n * sizeof(*seen));
		if (reaches(o, i, i, seen))
			o->place[i] = DEP_CYCLE;
	}
	free(seen);
	mark_blocked(o, true);
	return 0;
}

/* The rest (not ordered) by name after the @k ordered ones. */
static void append_rest(const struct order_ctx *o, struct dep_order *out, size_t k)
{
	for (; k < o->n; k++) {
		size_t best = o->n;

		for (size_t i = 0; i < o->n; i++)
			if (!o->placed[i] &&
			    (best == o->n || strcmp(o->nodes[i].name, o->nodes[best].name) < 0))
				best = i;
		o->placed[best] = true;
		out[k] = (struct dep_order){ best, o->place[best], o->why[best] };
	}
}

int dep_order(const struct dep_node *nodes, size_t n, const struct dep_node *active, size_t na,
	      struct dep_order *out)
{
	struct order_ctx o = { .nodes = nodes, .active = active, .n = n, .na = na };
	size_t k = 0, i;
	int rc = -ENOMEM;

	o.place = calloc(n ? n : 1, sizeof(*o.place));
	o.why = calloc(n ? n : 1, sizeof(*o.why));
	o.placed = calloc(n ? n : 1, sizeof(*o.placed));
	if (o.place && o.why && o.placed) {
		mark_missing(&o);
		mark_blocked(&o, false);
		while ((i = next_ready(&o)) < n) {
			o.placed[i] = true;
			out[k++] = (struct dep_order){ i, DEP_ORDERED, NULL };
		}
		rc = mark_cycles(&o);
	}
	if (rc == 0)
		append_rest(&o, out, k);
	free(o.place);
	free(o.why);
	free(o.placed);
	return rc;
}
