/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetch_tcp.h - test_fetcher's TCP health cases (fetch_tcp.c).
 */
#ifndef TCFLOWD_FETCH_TCP_H
#define TCFLOWD_FETCH_TCP_H

/* TCP health through the fetcher and the flow cache, across reads in
 * place and epochs; the programs are loaded per case. */
void run_fetch_tcp(void);

#endif /* TCFLOWD_FETCH_TCP_H */
