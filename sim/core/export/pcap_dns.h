/* pcap_dns.h - DNS messages in RFC 1035 wire format, for the capture (pcap_export.c).
 *
 * The world's resolver answers from its zone (dns_zone.h) and records a one-line step; a
 * capture needs the real bytes a resolver would have sent over UDP port 53, so that Wireshark
 * and tshark (-Y dns) show the MX, A and TXT lookups, NXDOMAIN and NODATA as a student would
 * see them on a real network. Pure functions, no allocation.
 */
#ifndef PCAP_DNS_H
#define PCAP_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/world/dns_zone.h"

/* Named limit: the largest DNS message built (RFC 1035 2.3.4: 512 octets over UDP; an answer
 * that would be longer is cut to the records that fit, with TC set). */
#define PCAP_DNS_MAX 512

/* pcap_dns_parse_question - "example.org. MX ?" (dns_format_question) into a name (no final
 * dot) and a type. 0, or -1 when the text is not a question. */
int pcap_dns_parse_question(const char *text, char name[DNS_NAME_MAX + 1], dns_type *type);

/* pcap_dns_message - a query (ans NULL: RD set, one question) or a response (QR, RD, RA, the
 * rcode and the answer records of ans) for name/type with this id, into out (at least
 * PCAP_DNS_MAX bytes). Returns its length, or 0 when the name cannot be encoded. */
size_t pcap_dns_message(unsigned char *out, uint16_t id, const char *name, dns_type type,
                        const dns_answer *ans);

#endif
