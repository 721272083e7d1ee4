/* SPDX-License-Identifier: MIT */
/* swsevd's SNP guests and their /dev/sev-guest (see guests.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/swsevd/guests.h"

#define OVMF_MAX (64u << 20)

void swsevd_guests_init(struct swsevd_guests *gs, struct hv_kvm *kvm, uint8_t *certs,
                        size_t certs_len)
{
    memset(gs, 0, sizeof(*gs));
    pthread_mutex_init(&gs->lock, NULL);
    gs->kvm = kvm;
    gs->certs = certs;
    gs->certs_len = certs_len;
}

void swsevd_guests_fini(struct swsevd_guests *gs)
{
    for (int i = 0; i < SWSEVD_MAX_SNP_GUESTS; i++)
        snp_vm_destroy(gs->g[i].v);
    free(gs->certs);
    pthread_mutex_destroy(&gs->lock);
    memset(gs, 0, sizeof(*gs));
}

static bool name_ok(const char *n)
{
    size_t len = strnlen(n, SWSEVD_GUEST_NAME);
    if (len == 0 || len == SWSEVD_GUEST_NAME)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static struct swsevd_guest *find(struct swsevd_guests *gs, const char *name)
{
    struct swsevd_guest *only = NULL;
    int running = 0;
    for (int i = 0; i < SWSEVD_MAX_SNP_GUESTS; i++) {
        if (!gs->g[i].v)
            continue;
        running++;
        only = &gs->g[i];
        if (name[0] && !strncmp(gs->g[i].name, name, SWSEVD_GUEST_NAME))
            return &gs->g[i];
    }
    return !name[0] && running == 1 ? only : NULL;
}

static swsev_rc start(struct swsevd_guests *gs, const uint8_t *args, size_t len,
                      const struct hv_uaccess *ua, struct reply *out)
{
    struct op_snp_guest_start s;
    if (len != sizeof(s))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    memcpy(&s, args, sizeof(s));
    s.name[SWSEVD_GUEST_NAME - 1] = 0;
    if (!name_ok(s.name) || s.ovmf_len == 0 || s.ovmf_len > OVMF_MAX || s.vcpus == 0 ||
        s.vcpus > 64 || s.vmm > VMSA_VMM_GCE)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct swsevd_guest *slot = NULL;
    for (int i = 0; i < SWSEVD_MAX_SNP_GUESTS; i++) {
        if (gs->g[i].v && !strcmp(gs->g[i].name, s.name))
            return SWSEV_TOOL_ERR(SWSEV_E_INVAL); /* the name is taken */
        if (!gs->g[i].v && !slot)
            slot = &gs->g[i];
    }
    if (!slot)
        return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
    uint8_t *img = malloc(s.ovmf_len);
    if (!img)
        return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
    if (ua->copy_from_user(ua->ctx, img, s.ovmf_addr, s.ovmf_len)) {
        free(img);
        return SWSEV_TOOL_ERR(SWSEV_E_IO);
    }
    struct snp_vm_opts o;
    memset(&o, 0, sizeof(o));
    o.plan.mode = SNP_PLAN_SNP;
    o.plan.ovmf = img;
    o.plan.ovmf_len = s.ovmf_len;
    o.plan.vcpus = s.vcpus;
    o.plan.vcpu_sig = s.vcpu_sig;
    o.plan.vmm = (enum vmsa_vmm)s.vmm;
    o.plan.guest_features = s.guest_features;
    o.policy = s.policy;
    memcpy(o.host_data, s.host_data, 32);
    o.certs = gs->certs;
    o.certs_len = gs->certs_len;
    char err[256];
    struct snp_vm *v = NULL;
    swsev_rc rc = snp_vm_launch(&v, gs->kvm, &o, err, sizeof(err));
    free(img);
    if (rc)
        return rc;
    memset(slot, 0, sizeof(*slot));
    memcpy(slot->name, s.name, sizeof(slot->name));
    slot->v = v;
    slot->policy = s.policy;
    slot->dev.msg = &v->guest;
    struct op_snp_guest_started r;
    memcpy(r.measurement, v->offline, 48);
    r.pages = v->pages;
    return reply_put(out, &r, sizeof(r)) ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : SWSEV_OK;
}

swsev_rc swsevd_guests_call(struct swsevd_guests *gs, uint32_t op, const uint8_t *args, size_t len,
                            const struct hv_uaccess *ua, struct reply *out)
{
    pthread_mutex_lock(&gs->lock);
    swsev_rc rc = SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    if (op == OP_SNP_GUEST_START) {
        rc = start(gs, args, len, ua, out);
    } else if (op == OP_SNP_GUEST_STOP) {
        char name[SWSEVD_GUEST_NAME];
        struct swsevd_guest *g = NULL;
        if (len == sizeof(name)) {
            memcpy(name, args, sizeof(name));
            name[sizeof(name) - 1] = 0;
            g = name[0] ? find(gs, name) : NULL;
        }
        rc = len != sizeof(name) ? SWSEV_TOOL_ERR(SWSEV_E_INVAL)
             : !g                ? SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND)
                                 : SWSEV_OK;
        if (g) {
            snp_vm_destroy(g->v);
            memset(g, 0, sizeof(*g));
        }
    } else if (op == OP_SNP_GUEST_LIST) {
        uint32_t n = 0;
        for (int i = 0; i < SWSEVD_MAX_SNP_GUESTS; i++)
            n += gs->g[i].v != NULL;
        rc = reply_put(out, &n, 4) ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : SWSEV_OK;
        for (int i = 0; i < SWSEVD_MAX_SNP_GUESTS && !rc; i++) {
            struct swsevd_guest *g = &gs->g[i];
            if (!g->v)
                continue;
            struct op_snp_guest_info gi;
            memset(&gi, 0, sizeof(gi));
            memcpy(gi.name, g->name, sizeof(gi.name));
            gi.asid = g->v->vm->asid;
            gi.policy = g->policy;
            memcpy(gi.measurement, g->v->offline, 48);
            if (reply_put(out, &gi, sizeof(gi)))
                rc = SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        }
    }
    pthread_mutex_unlock(&gs->lock);
    return rc;
}

int swsevd_guests_ioctl(struct swsevd_guests *gs, const char *name, uint64_t request, uint64_t arg,
                        const struct hv_uaccess *ua)
{
    pthread_mutex_lock(&gs->lock);
    struct swsevd_guest *g = find(gs, name);
    int rc = -ENODEV; /* no such guest: as if /dev/sev-guest did not exist */
    if (g) {
        struct guest_uaccess gu = {ua->ctx, ua->copy_from_user, ua->copy_to_user};
        rc = guest_sev_dev_ioctl(&g->dev, request, arg, &gu);
    }
    pthread_mutex_unlock(&gs->lock);
    return rc;
}
