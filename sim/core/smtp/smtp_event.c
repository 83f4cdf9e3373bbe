/* smtp_event.c - names for event kinds, shared by both engines. */
#include "core/smtp/smtp_event.h"

const char *smtp_event_kind_name(smtp_event_kind kind)
{
    switch (kind) {
    case SMTP_EV_COMMAND: return "command";
    case SMTP_EV_REPLY: return "reply";
    case SMTP_EV_DATA: return "data";
    case SMTP_EV_STATE: return "state";
    case SMTP_EV_STARTTLS: return "starttls";
    case SMTP_EV_AUTH: return "auth";
    case SMTP_EV_MESSAGE: return "message";
    case SMTP_EV_RCPT_RESULT: return "rcpt-result";
    case SMTP_EV_DONE: return "done";
    case SMTP_EV_CLOSE: return "close";
    case SMTP_EV_ERROR: return "error";
    }
    return "unknown";
}
