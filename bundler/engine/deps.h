/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deps.h - who requires whom: the one place that matches a bundle's
 * requires and conflicts (name and version range, format.md §4.3) against
 * other bundles.  apply (the newcomer's requires and conflicts, the
 * conflicts of the active bundles, the dependents a successor would
 * break), revert (the dependents it would leave without what they
 * require), apply --installed (the order) and status (what depends on
 * what) all ask here.  The active bundles come from sysfs: each one's
 * embedded core (lp_bundles()).
 */
#ifndef KLPB_ENGINE_DEPS_H
#define KLPB_ENGINE_DEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "klp-bundle/format.h"

struct lp_bundle;

/* A bundle as the dependency checks see it. */
struct dep_node {
	const char *name;
	uint64_t version;
	const struct klpb_core *core; /* its requires and conflicts; NULL: none known */
	const char *module; /* its livepatch module (active bundles), else NULL */
};

/* Does bundle @name version @version satisfy @d (same name, in range)? */
bool dep_satisfies(const struct klpb_dep *d, const char *name, uint64_t version);
/* @d as "NAME >=MIN", "NAME >=MIN,<=MAX" or "NAME =V" into @buf. */
void dep_spec(const struct klpb_dep *d, char *buf, size_t size);

/* The names of @set[@idx[0..@n)] as "'b', 'c'" into @buf. */
void dep_names(const struct dep_node *set, const size_t *idx, size_t n, char *buf, size_t size);

/* The active bundles of @bs (@n of them) as nodes: [owned] *@out (free()); the count or -ENOMEM. */
int dep_active_nodes(const struct lp_bundle *bs, int n, struct dep_node **out);
/* @b as a node (its core may be NULL). */
struct dep_node dep_node_of(const struct lp_bundle *b);

/* Does @d (a dependent) require @p: one of @d's requires names @p and @p satisfies it? */
bool dep_requires(const struct dep_node *d, const struct dep_node *p);
/* The first entry of @a's conflicts that @b matches, or NULL. */
const struct klpb_dep *dep_conflict(const struct dep_node *a, const struct dep_node *b);
/* The first of @d's requires no node of @set (@n of them) satisfies, or NULL. */
const struct klpb_dep *dep_unmet(const struct dep_node *d, const struct dep_node *set, size_t n);

/*
 * The dependents a change breaks: the nodes of @after (@na) with a
 * requires entry some node of @before (@nb) satisfies and no node of
 * @after does.  Their indices in @after go to @broken (room for @na); the
 * count is returned.
 */
size_t dep_broken(const struct dep_node *before, size_t nb, const struct dep_node *after, size_t na,
		  size_t *broken);

/* Why dep_order() placed a node where it did. */
enum dep_place {
	DEP_ORDERED, /* its requires are active or ordered before it */
	DEP_MISSING, /* a requires entry nothing active or given satisfies */
	DEP_CYCLE, /* on a cycle of requires */
	DEP_BLOCKED, /* requires a node that is missing something or on a cycle */
};

struct dep_order {
	size_t node; /* index into the nodes given */
	enum dep_place place;
	const struct klpb_dep *why; /* MISSING, BLOCKED: the entry */
};

/*
 * Order @nodes (@n, with distinct names) so that each comes after what it
 * requires: a requires entry is met by an @active node (@na) or by one of
 * @nodes.  Ties go by name, so the order is deterministic.  @out (room for
 * @n) holds the DEP_ORDERED nodes in that order, then the others by name.
 * Returns 0 or -ENOMEM.
 */
int dep_order(const struct dep_node *nodes, size_t n, const struct dep_node *active, size_t na,
	      struct dep_order *out);

#endif
