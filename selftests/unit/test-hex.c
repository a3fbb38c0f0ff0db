// SPDX-License-Identifier: LGPL-2.1-or-later
#include <errno.h>
#include <stdint.h>

#include "tap.h"
#include "util/hex.h"

int main(void)
{
	const uint8_t id[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t back[4];
	char s[9];

	hex_encode(id, sizeof(id), s);
	is_str(s, "007fabff", "encode is lowercase, two digits per byte");
	is_int(hex_decode("007FABff", back, sizeof(back)), 0, "decode takes either case");
	is_mem(back, id, sizeof(id), "decode gives the bytes back");
	is_int(hex_decode("007fab", back, sizeof(back)), -EINVAL, "too short is -EINVAL");
	is_int(hex_decode("007fabff00", back, sizeof(back)), -EINVAL, "too long is -EINVAL");
	is_int(hex_decode("007fabfg", back, sizeof(back)), -EINVAL, "a non-hex digit is -EINVAL");
	hex_encode(id, 0, s);
	is_str(s, "", "zero bytes encode to the empty string");
	return done_testing();
}
