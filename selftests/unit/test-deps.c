// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who requires whom (engine/deps.h): version ranges, unmet requires,
 * conflicts both ways, the dependents a change breaks, and the order of
 * apply --installed with ties, missing dependencies and cycles.
 */
#include <stdio.h>
#include <string.h>

#include "engine/deps.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct klpb_dep any_a = { .name = "a", .min_version = 1 };
static const struct klpb_dep a_1_2 = { .name = "a",
				       .min_version = 1,
				       .has_max = true,
				       .max_version = 2 };
static const struct klpb_dep b_3 = { .name = "b",
				     .min_version = 3,
				     .has_max = true,
				     .max_version = 3 };

static void test_ranges(void)
{
	char buf[64];

	ok(dep_satisfies(&a_1_2, "a", 1) && dep_satisfies(&a_1_2, "a", 2),
	   "a range takes both ends");
	ok(!dep_satisfies(&a_1_2, "a", 0) && !dep_satisfies(&a_1_2, "a", 3), "and nothing outside");
	ok(!dep_satisfies(&a_1_2, "b", 1), "another name never satisfies");
	ok(dep_satisfies(&any_a, "a", 1000), "no maximum: any later version");
	dep_spec(&a_1_2, buf, sizeof(buf));
	is_str(buf, "a >=1,<=2", "a range as text");
	dep_spec(&any_a, buf, sizeof(buf));
	is_str(buf, "a >=1", "an open range as text");
	dep_spec(&b_3, buf, sizeof(buf));
	is_str(buf, "b =3", "one version as text");
}

static void test_requires_conflicts(void)
{
	const struct klpb_core bc = {
		.name = "b", .version = 1, .requires = &a_1_2, .n_requires = 1
	};
	const struct klpb_core cc = {
		.name = "c", .version = 1, .conflicts = &b_3, .n_conflicts = 1
	};
	const struct dep_node a1 = { "a", 1, NULL, NULL }, a3 = { "a", 3, NULL, NULL };
	const struct dep_node b = { "b", 1, &bc, NULL }, b3 = { "b", 3, NULL, NULL };
	const struct dep_node c = { "c", 1, &cc, NULL };
	const struct dep_node set1[] = { a1 }, set3[] = { a3 };

	ok(dep_requires(&b, &a1), "b requires a version 1");
	ok(!dep_requires(&b, &a3), "not a version 3 (outside its range)");
	ok(!dep_requires(&a1, &b), "a requires nothing");
	ok(dep_unmet(&b, set1, 1) == NULL, "b's requires are met by a 1");
	ok(dep_unmet(&b, set3, 1) == &a_1_2, "not by a 3: the entry is returned");
	ok(dep_unmet(&b, NULL, 0) == &a_1_2, "nor by nothing");
	ok(dep_conflict(&c, &b3) == &b_3, "c conflicts with b 3");
	ok(dep_conflict(&b3, &c) == NULL, "b 3's own conflicts do not name c: asked both ways");
	ok(dep_conflict(&c, &b) == NULL, "c does not conflict with b 1");
}

static void test_broken(void)
{
	const struct klpb_core bc = {
		.name = "b", .version = 1, .requires = &a_1_2, .n_requires = 1
	};
	const struct klpb_core cc = {
		.name = "c", .version = 1, .requires = &any_a, .n_requires = 1
	};
	const struct dep_node a1 = { "a", 1, NULL, NULL }, a3 = { "a", 3, NULL, NULL };
	const struct dep_node b = { "b", 1, &bc, NULL }, c = { "c", 1, &cc, NULL };
	const struct dep_node before[] = { a1, b, c }, gone[] = { b, c }, succ[] = { b, c, a3 };
	const struct dep_node both[] = { a1, b, c, a3 }, minus_b[] = { a1, c };
	size_t broken[4];
	char names[64];

	is_int(dep_broken(before, 3, gone, 2, broken), 2, "without a, b and c are broken");
	dep_names(gone, broken, 2, names, sizeof(names));
	is_str(names, "'b', 'c'", "and named in order");
	is_int(dep_broken(before, 3, succ, 3, broken), 1, "a successor 3: only b is broken");
	is_int(broken[0], 0, "b, whose range stops at 2");
	is_int(dep_broken(before, 3, both, 4, broken), 0, "a 1 still there: nothing broken");
	is_int(dep_broken(before, 3, minus_b, 2, broken), 0, "removing b breaks nobody");
}

static void test_order(void)
{
	const struct klpb_dep need_m = { .name = "m-mid", .min_version = 1 };
	const struct klpb_dep need_z = { .name = "z-base", .min_version = 1 };
	const struct klpb_core top = { .name = "a-top", .requires = &need_m, .n_requires = 1 };
	const struct klpb_core mid = { .name = "m-mid", .requires = &need_z, .n_requires = 1 };
	const struct dep_node nodes[] = { { "a-top", 1, &top, NULL },
					  { "b-free", 1, NULL, NULL },
					  { "m-mid", 1, &mid, NULL },
					  { "z-base", 1, NULL, NULL } };
	struct dep_order out[N(nodes)];
	char got[128] = "";

	ok(dep_order(nodes, N(nodes), NULL, 0, out) == 0, "order four bundles");
	for (size_t i = 0; i < N(nodes); i++) {
		strcat(got, nodes[out[i].node].name);
		strcat(got, out[i].place == DEP_ORDERED ? " " : "! ");
	}
	is_str(got, "b-free z-base m-mid a-top ", "dependencies first, ties by name");

	/* z-base active: m-mid needs nothing installed */
	const struct dep_node active[] = { { "z-base", 1, NULL, NULL } };

	ok(dep_order(nodes, 3, active, 1, out) == 0, "order with z-base active");
	is_str(nodes[out[0].node].name, "b-free", "b-free first (by name)");
	is_str(nodes[out[1].node].name, "m-mid", "then m-mid, met by the active z-base");
	is_int(out[2].place, DEP_ORDERED, "and a-top");
}

static void test_missing_and_cycles(void)
{
	const struct klpb_dep need_x = { .name = "x", .min_version = 1 };
	const struct klpb_dep need_c1 = { .name = "c1", .min_version = 1 };
	const struct klpb_dep need_c2 = { .name = "c2", .min_version = 1 };
	const struct klpb_dep need_m2 = { .name = "m", .min_version = 2 };
	const struct klpb_core mc = { .name = "m", .requires = &need_x, .n_requires = 1 };
	const struct klpb_core dm = { .name = "d", .requires = &need_m2, .n_requires = 1 };
	const struct klpb_core c1 = { .name = "c1", .requires = &need_c2, .n_requires = 1 };
	const struct klpb_core c2 = { .name = "c2", .requires = &need_c1, .n_requires = 1 };
	const struct klpb_dep need_c1b = { .name = "c1", .min_version = 1 };
	const struct klpb_core behind = { .name = "e", .requires = &need_c1b, .n_requires = 1 };
	const struct dep_node nodes[] = {
		{ "c1", 1, &c1, NULL },	   { "c2", 1, &c2, NULL },    { "d", 1, &dm, NULL },
		{ "e", 1, &behind, NULL }, { "free", 1, NULL, NULL }, { "m", 2, &mc, NULL },
	};
	struct dep_order out[N(nodes)];
	enum dep_place want[] = { DEP_CYCLE,   DEP_CYCLE,   DEP_BLOCKED,
				  DEP_BLOCKED, DEP_ORDERED, DEP_MISSING };

	ok(dep_order(nodes, N(nodes), NULL, 0, out) == 0, "order with a cycle and a gap");
	is_str(nodes[out[0].node].name, "free", "only the independent one is ordered");
	is_int(out[0].place, DEP_ORDERED, "and it is applied");
	for (size_t i = 1; i < N(nodes); i++) {
		size_t k = out[i].node;

		is_int(out[i].place, want[k], "'%s': %s", nodes[k].name,
		       want[k] == DEP_CYCLE   ? "on the cycle" :
		       want[k] == DEP_MISSING ? "misses x" :
						"behind one that is not applied");
	}
	is_str(nodes[out[1].node].name, "c1", "the others by name");
	for (size_t i = 0; i < N(nodes); i++)
		if (strcmp(nodes[out[i].node].name, "m") == 0)
			ok(out[i].why == &need_x, "m: the entry nothing meets");
	for (size_t i = 0; i < N(nodes); i++)
		if (strcmp(nodes[out[i].node].name, "d") == 0)
			ok(out[i].why == &need_m2, "d: the entry on m");
}

int main(void)
{
	test_ranges();
	test_requires_conflicts();
	test_broken();
	test_order();
	test_missing_and_cycles();
	return done_testing();
}
