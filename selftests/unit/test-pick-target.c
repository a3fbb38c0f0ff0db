// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test-pick-target.c - eng_pick_payload(): the running kernel's target by
 * release and vmlinux build-id, two builds of one release in one bundle;
 * bundle_targets_text() for the error that lists the bundle's kernels (the
 * releases are made up).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "common/bundle-io.h"
#include "engine/module.h"

static struct klpb_target targets[3] = {
	{ .kernel_release = "9.1.0-1-fake", .vmlinux_build_id = { 0x11, 0x22, 0x33, 0x44 } },
	{ .kernel_release = "9.1.0-1-fake", .vmlinux_build_id = { 0xaa, 0xbb, 0xcc, 0xdd } },
	{ .kernel_release = "9.12.0-1-fake", .vmlinux_build_id = { 0x55 } },
};
static struct klpb_payload_desc payloads[3] = { { .target = 0 }, { .target = 1 }, { .target = 2 } };

static struct eng_kernel kernel(const char *release, uint8_t first)
{
	struct eng_kernel k = { .vmlinux_id = { .len = KLPB_BUILD_ID_LEN } };

	snprintf(k.release, sizeof(k.release), "%s", release);
	memcpy(k.vmlinux_id.bytes, targets[first].vmlinux_build_id, KLPB_BUILD_ID_LEN);
	return k;
}

int main(void)
{
	struct klpb_bundle b = { .payloads = payloads, .n_payloads = 3 };
	struct eng_kernel k;
	size_t i = 99;
	char *text;

	b.core.targets = targets;
	b.core.n_targets = 3;
	k = kernel("9.1.0-1-fake", 1);
	is_int(eng_pick_payload(&b, &k, &i), 0, "the second build of 9.1.0-1-fake");
	is_int(i, 1, "  is payload 1");
	k = kernel("9.1.0-1-fake", 0);
	is_int(eng_pick_payload(&b, &k, &i), 0, "the first build");
	is_int(i, 0, "  is payload 0");
	k = kernel("9.1.0-1-fake", 2);
	is_int(eng_pick_payload(&b, &k, &i), -ESTALE, "another build of the release: -ESTALE");
	k = kernel("9.1.0-2-fake", 0);
	is_int(eng_pick_payload(&b, &k, &i), -ENOENT, "another release: -ENOENT");
	k = kernel("9.1.0-1-fake", 0);
	k.vmlinux_id.len = 0;
	is_int(eng_pick_payload(&b, &k, &i), -ESTALE, "an unknown build-id matches no target");
	text = bundle_targets_text(&b);
	is_str(text,
	       "'9.1.0-1-fake' (build-id 11223344), '9.1.0-1-fake' (build-id aabbccdd), '9.12.0-1-fake'",
	       "the kernels, with short build-ids where a release repeats");
	free(text);
	return done_testing();
}
