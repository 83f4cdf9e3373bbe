/* retr_event.c - names for retrieval event kinds, shared by the POP3 and IMAP engines. */
#include "core/retrieval/retr_event.h"

const char *retr_event_kind_name(retr_event_kind kind)
{
    switch (kind) {
    case RETR_EV_COMMAND: return "command";
    case RETR_EV_RESPONSE: return "response";
    case RETR_EV_UNTAGGED: return "untagged";
    case RETR_EV_CONTINUE: return "continue";
    case RETR_EV_STATE: return "state";
    case RETR_EV_STARTTLS: return "starttls";
    case RETR_EV_AUTH: return "auth";
    case RETR_EV_MESSAGE: return "message";
    case RETR_EV_DONE: return "done";
    case RETR_EV_CLOSE: return "close";
    case RETR_EV_ERROR: return "error";
    }
    return "unknown";
}
