/* pcap_export.h - a world's traffic as a packet capture that Wireshark and tshark dissect.
 *
 * Each SMTP, POP3 or IMAP connection of the run (the step's port: 25/587/465, 110/995,
 * 143/993, so Wireshark picks the dissector) becomes a TCP connection between the two nodes'
 * simulated addresses: a three-way handshake, the exact SMTP bytes in segments with correct sequence
 * numbers and checksums, acknowledgements, and a FIN close. After STARTTLS (or from the start
 * for implicit TLS) the bytes travel as TLS records: a well-formed ClientHello and ServerHello
 * (TLS 1.3), then application-data records whose contents are deterministic stand-ins for
 * ciphertext, as long as real records would be. DNS questions and answers are not included.
 *
 * The file format is the classic libpcap one (https://wiki.wireshark.org/Development/LibpcapFileFormat),
 * microsecond timestamps, Ethernet link type. Times are the world's virtual clock from
 * PCAP_EXPORT_EPOCH, so the same scenario always gives the same file, byte for byte.
 */
#ifndef PCAP_EXPORT_H
#define PCAP_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/world/world.h"

#define PCAP_EXPORT_EPOCH 1710234000u /* 2024-03-12 09:00:00 UTC: virtual time 0 */
#define PCAP_EXPORT_MSS 1460          /* largest TCP payload per segment */

/* pcap_export_world - write the capture to out. 0, or -1 with err filled. */
int pcap_export_world(const world *w, FILE *out, char *err, size_t errlen);

#endif
