/* smtp_limits.c - the limits table: defaults, ranges, and the RFC text behind each one. */
#include "core/smtp/smtp_limits.h"

#include <string.h>

#define MINUTE_MS (60u * 1000u)

static const smtp_limit_info limit_table[SMTP_LIMIT_COUNT] = {
    [SMTP_LIMIT_COMMAND_LINE] = {"command_line", 512, 512, 65536, "RFC 5321 4.5.3.1.4",
                                 "octets in a command line, CRLF included"},
    [SMTP_LIMIT_TEXT_LINE] = {"text_line", 1000, 1000, 1048576, "RFC 5321 4.5.3.1.6",
                              "octets in a line of message text, CRLF included"},
    [SMTP_LIMIT_LOCAL_PART] = {"local_part", 64, 64, 1024, "RFC 5321 4.5.3.1.1",
                               "octets in the local-part of an address"},
    [SMTP_LIMIT_DOMAIN] = {"domain", 255, 255, 1024, "RFC 5321 4.5.3.1.2", "octets in a domain"},
    [SMTP_LIMIT_PATH] = {"path", 256, 256, 2048, "RFC 5321 4.5.3.1.3",
                         "octets in a reverse- or forward-path, brackets included"},
    [SMTP_LIMIT_RECIPIENTS] = {"recipients", 100, 1, 100000, "RFC 5321 4.5.3.1.8",
                               "recipients in one transaction (the RFC asks for at least 100)"},
    [SMTP_LIMIT_MESSAGE_SIZE] = {"message_size", 10485760, 1024, 1073741824, "RFC 1870 4",
                                 "octets of message content, advertised as SIZE"},
    [SMTP_LIMIT_SOFT_ERRORS] = {"soft_errors", 10, 1, 1000, "RFC 5321 7.8",
                                "client errors before the session is marked as misbehaving"},
    [SMTP_LIMIT_HARD_ERRORS] = {"hard_errors", 20, 1, 1000, "RFC 5321 3.8",
                                "client errors after which the server ends the session with 421"},
    [SMTP_LIMIT_AUTH_FAILURES] = {"auth_failures", 3, 1, 100, "RFC 4954 4",
                                  "failed AUTH attempts after which the session ends with 421"},
    [SMTP_LIMIT_TIMEOUT_COMMAND] = {"timeout_command", 5 * MINUTE_MS, 1000, 3600000,
                                    "RFC 5321 4.5.3.2.7", "server: ms to wait for the next command"},
    [SMTP_LIMIT_TIMEOUT_DATA] = {"timeout_data", 5 * MINUTE_MS, 1000, 3600000,
                                 "RFC 5321 4.5.3.2.7", "server: ms to wait for more message data"},
    [SMTP_LIMIT_TIMEOUT_GREETING] = {"timeout_greeting", 5 * MINUTE_MS, 1000, 3600000,
                                     "RFC 5321 4.5.3.2.1", "client: ms to wait for the 220 greeting"},
    [SMTP_LIMIT_TIMEOUT_MAIL] = {"timeout_mail", 5 * MINUTE_MS, 1000, 3600000,
                                 "RFC 5321 4.5.3.2.2", "client: ms to wait for the reply to MAIL"},
    [SMTP_LIMIT_TIMEOUT_RCPT] = {"timeout_rcpt", 5 * MINUTE_MS, 1000, 3600000,
                                 "RFC 5321 4.5.3.2.3", "client: ms to wait for the reply to RCPT"},
    [SMTP_LIMIT_TIMEOUT_DATA_INIT] = {"timeout_data_init", 2 * MINUTE_MS, 1000, 3600000,
                                      "RFC 5321 4.5.3.2.4", "client: ms to wait for 354"},
    [SMTP_LIMIT_TIMEOUT_DATA_BLOCK] = {"timeout_data_block", 3 * MINUTE_MS, 1000, 3600000,
                                       "RFC 5321 4.5.3.2.5", "client: ms allowed per block of data"},
    [SMTP_LIMIT_TIMEOUT_DATA_TERM] = {"timeout_data_term", 10 * MINUTE_MS, 1000, 3600000,
                                      "RFC 5321 4.5.3.2.6",
                                      "client: ms to wait for the reply to the final dot"},
    /* RFC 4954 4: SASL responses can be much longer than commands; 12288 octets "is considered
     * to be a sufficient line length limit". Applies to the lines after a 334 challenge and to
     * an AUTH command carrying an initial response. */
    [SMTP_LIMIT_AUTH_LINE] = {"auth_line", 12288, 512, 65536, "RFC 4954 4",
                              "octets in an AUTH response line, CRLF included"},
    /* 452 4.5.3 "too many recipients" is the client's cue to send the rest in a later
     * transaction (RFC 5321 4.5.3.1.10), not an error; only a client that keeps going far past
     * the limit is treated as misbehaving (7.8). 1000 is Postfix's default. */
    [SMTP_LIMIT_RECIPIENT_OVERSHOOT] = {"recipient_overshoot", 1000, 0, 100000, "RFC 5321 7.8",
                                        "RCPTs refused with 452 past the recipient limit before "
                                        "they count as client errors"},
};

void smtp_limits_default(smtp_limits *lim)
{
    for (int i = 0; i < SMTP_LIMIT_COUNT; i++)
        lim->value[i] = limit_table[i].def;
}

const smtp_limit_info *smtp_limit_info_get(smtp_limit_id id)
{
    if ((int)id < 0 || id >= SMTP_LIMIT_COUNT)
        return NULL;
    return &limit_table[id];
}

int smtp_limit_find(const char *name)
{
    for (int i = 0; i < SMTP_LIMIT_COUNT; i++)
        if (strcmp(limit_table[i].name, name) == 0)
            return i;
    return -1;
}

int smtp_limits_set(smtp_limits *lim, smtp_limit_id id, uint64_t value)
{
    const smtp_limit_info *info = smtp_limit_info_get(id);
    if (!info || value < info->min || value > info->max)
        return -1;
    lim->value[id] = value;
    return 0;
}
