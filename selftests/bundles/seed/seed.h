/* SPDX-License-Identifier: GPL-2.0-only */
const char *klpbt_seed_contract(void);
