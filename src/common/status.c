/* SPDX-License-Identifier: MIT */
/* Human-readable names for every swsev_rc. */
#include <string.h>

#include "swsev/status.h"
#include "swsev/fw_status.h"

static const char *hw_name(unsigned code)
{
    switch (code) {
    case SWSEV_HW_RANGE:
        return "hw: physical address out of range";
    case SWSEV_HW_ALIGN:
        return "hw: misaligned access";
    case SWSEV_HW_SIZE:
        return "hw: invalid access size";
    case SWSEV_HW_NOKEY:
        return "hw: no key installed for this ASID";
    case SWSEV_HW_FAULT:
        return "hw: architectural fault";
    case SWSEV_HW_INVAL:
        return "hw: invalid argument";
    case SWSEV_HW_NOMEM:
        return "hw: out of host memory";
    case SWSEV_HW_BUSY:
        return "hw: privileged interface already claimed";
    }
    return "hw: unknown error";
}

static const char *generic_name(unsigned code)
{
    switch (code) {
    case SWSEV_E_INVAL:
        return "invalid argument";
    case SWSEV_E_IO:
        return "I/O error";
    case SWSEV_E_NOTFOUND:
        return "not found";
    case SWSEV_E_FORMAT:
        return "malformed input";
    case SWSEV_E_NOMEM:
        return "out of memory";
    case SWSEV_E_UNSUPPORTED:
        return "unsupported";
    case SWSEV_E_VERIFY:
        return "verification failed";
    }
    return "unknown error";
}

const char *swsev_strerror(swsev_rc rc)
{
    if (rc == SWSEV_OK)
        return "success";
    unsigned code = SWSEV_RC_CODE(rc);
    switch (SWSEV_RC_LAYER(rc)) {
    case SWSEV_LAYER_HW:
        return hw_name(code);
    case SWSEV_LAYER_FW:
        return swsev_fw_status_name(code);
    case SWSEV_LAYER_SYS:
        return strerror((int)code);
    case SWSEV_LAYER_CRYPTO:
        return "crypto: OpenSSL operation failed";
    case SWSEV_LAYER_HV:
    case SWSEV_LAYER_TRANSPORT:
    case SWSEV_LAYER_TOOL:
        return generic_name(code);
    }
    return "unknown error";
}
