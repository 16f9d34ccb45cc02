// SPDX-License-Identifier: MIT
/* tcpstate.c - the TCP state of a mapping: RFC 7857 s2 / RFC 6146 s3.5.2 transitions. */
#include "pkt.h"
#include "tcpstate.h"

static const char *const names[CT_S__N] = {
	[CT_S_NEW] = "new", [CT_S_EST] = "established", [CT_S_CLOSING] = "closing",
	[CT_S_SYN_OUT] = "syn_out", [CT_S_SYN_IN] = "syn_in", [CT_S_FIN_OUT] = "fin_out",
	[CT_S_FIN_IN] = "fin_in", [CT_S_RST] = "rst",
};

/* tcpstate_name() - the state's name in spatctl and metrics, "?" if unknown. */
const char *tcpstate_name(uint8_t state)
{
	return state < CT_S__N && names[state] ? names[state] : "?";
}

/* tcpstate_established() - true when the state runs on the established timer. */
bool tcpstate_established(uint8_t state)
{
	/* RFC 6146: a half-closed connection may last; it keeps TCP_EST. */
	return state == CT_S_EST || state == CT_S_FIN_OUT || state == CT_S_FIN_IN;
}

/* tcpstate_initial() - the state of a mapping created by an outbound TCP packet. */
uint8_t tcpstate_initial(uint8_t flags)
{
	return (flags & (TCPF_SYN | TCPF_RST)) == TCPF_SYN ? CT_S_SYN_OUT : CT_S_NEW;
}

static uint8_t syn_state(enum tcpstate_dir dir)
{
	return dir == TCPSTATE_OUT ? CT_S_SYN_OUT : CT_S_SYN_IN;
}

/* A FIN from dir in an established or half-closed state. */
static uint8_t fin_state(uint8_t state, enum tcpstate_dir dir)
{
	uint8_t mine = dir == TCPSTATE_OUT ? CT_S_FIN_OUT : CT_S_FIN_IN;
	uint8_t other = dir == TCPSTATE_OUT ? CT_S_FIN_IN : CT_S_FIN_OUT;

	if (state == CT_S_EST)
		return mine;
	if (state == other)
		return CT_S_CLOSING;
	return state;
}

/* tcpstate_next() - the state after a packet with TCP flags from dir. */
uint8_t tcpstate_next(uint8_t state, enum tcpstate_dir dir, uint8_t flags)
{
	bool bare_syn = (flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;

	/* RFC 7857 s2.2: a RST only makes the mapping transitory. */
	if (flags & TCPF_RST)
		return CT_S_RST;
	switch (state) {
	case CT_S_NEW:
		if (flags & TCPF_SYN)
			return syn_state(dir);
		return dir == TCPSTATE_IN ? CT_S_EST : CT_S_NEW;
	case CT_S_SYN_OUT:
	case CT_S_SYN_IN:
		/* The other side's SYN (or SYN-ACK): a handshake or a simultaneous open. */
		if ((flags & TCPF_SYN) && state != syn_state(dir))
			return CT_S_EST;
		return state;
	case CT_S_CLOSING:
		/* Port reuse: a new connection on the same mapping. */
		return bare_syn ? syn_state(dir) : state;
	case CT_S_RST:
		if (bare_syn)
			return syn_state(dir);
		/* The connection lives on (the RST was forged, or lost): established again. */
		return (flags & TCPF_FIN) ? fin_state(CT_S_EST, dir) : CT_S_EST;
	case CT_S_EST:
	case CT_S_FIN_OUT:
	case CT_S_FIN_IN:
		return (flags & TCPF_FIN) ? fin_state(state, dir) : state;
	}
	return state;
}
