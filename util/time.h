/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* time.h - the monotonic clock in milliseconds, for deadlines and polling. */
#ifndef KLPB_UTIL_TIME_H
#define KLPB_UTIL_TIME_H

#pragma GCC poison u8 u16 u32 u64

/* Milliseconds on CLOCK_MONOTONIC. */
long long now_ms(void);
/* Sleep @ms milliseconds, resuming after signals. */
void sleep_ms(int ms);

#endif
