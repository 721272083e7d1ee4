/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The software TLB of the Unicorn backend: guest pages cached in host
 * memory that Unicorn executes from, kept coherent with the SEV model.
 *
 * Why this shape (docs/unicorn.md has the numbers):
 *  - Unicorn's memory hooks cost a callback per access, so guest memory is
 *    ordinary host memory that Unicorn's TCG code reads and writes inline.
 *  - Unicorn 2.0.1's x86 page walk checks permissions but then maps every
 *    virtual address to the same physical address, and it looks memory
 *    regions up by virtual address. So guest bytes live at their guest
 *    VIRTUAL address, in 2 MiB windows mapped on first touch, and the page
 *    tables Unicorn walks are the backend's own shadow tables, whose only
 *    job is the present and writable bits: a guest access to a page the
 *    backend has not checked with the model raises a precise #PF (RIP on
 *    the instruction, no register changed), the interrupt hook asks the
 *    model, fills the page and Unicorn retries the instruction. A model
 *    fault is reported from the same point, so it is precise too.
 *  - Pages enter read-only; the first write faults again and makes the
 *    page writable after the model checked write permission, with a
 *    pristine copy. Before an event goes to the model, and before every
 *    fill (the guest may have just written a page-table entry the model's
 *    walk must see), the bytes that differ from the pristine copy are
 *    written back - only those, so concurrent writers of other bytes of
 *    the page are not overwritten.
 *  - After an event the model may have changed guest memory (a GHCB, an
 *    RMP or page-table change): every cached page loses its present bit
 *    and is compared with the model on its next access. A model that
 *    provides a generation counter lets the backend skip this when nothing
 *    changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "uc_internal.h"

#define PTE_ADDR  0x000FFFFFFFFFF000ull
#define PTE_TABLE (PTE_P | PTE_RW | PTE_US)
/* Accessed and dirty preset so that Unicorn's walker never writes them;
 * the frame is ignored by Unicorn 2.0.1 (it maps VA to VA). */
#define PTE_LEAF   (PTE_P | PTE_US | PTE_A | PTE_D)
#define TOP_WINDOW 0xFFFFFFFFFFE00000ull

static uint64_t window_of(uint64_t va)
{
    return va & ~(UCM_CHUNK - 1);
}

static bool reserved(uint64_t va)
{
    return va - UCM_RSV_BASE < UCM_RSV_SIZE;
}

static uint32_t slot_of(const struct ucm *m, uint64_t base)
{
    uint64_t k = (base >> UCM_CHUNK_SHIFT) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(k >> 32) & (m->nslots - 1);
}

static struct ucm_chunk *chunk_find(const struct ucm *m, uint64_t va)
{
    uint64_t base = window_of(va);
    for (uint32_t i = slot_of(m, base);; i = (i + 1) & (m->nslots - 1)) {
        struct ucm_chunk *c = &m->chunks[i];
        if (c->base == base)
            return c;
        if (c->base == UINT64_MAX)
            return NULL;
    }
}

/* Backward-shift deletion keeps the probe sequences intact. */
static void chunk_remove(struct ucm *m, struct ucm_chunk *c)
{
    uint32_t mask = m->nslots - 1, i = (uint32_t)(c - m->chunks), j = i;
    m->chunks[i].base = UINT64_MAX;
    for (;;) {
        j = (j + 1) & mask;
        if (m->chunks[j].base == UINT64_MAX)
            break;
        uint32_t k = slot_of(m, m->chunks[j].base);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays)
            continue;
        m->chunks[i] = m->chunks[j];
        m->chunks[j].base = UINT64_MAX;
        i = j;
    }
    m->nchunks--;
}

static int push(uint64_t **arr, uint32_t *n, uint32_t *cap, uint64_t va)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 256;
        uint64_t *p = realloc(*arr, ncap * sizeof(**arr));
        if (!p)
            return -ENOMEM;
        *arr = p;
        *cap = ncap;
    }
    (*arr)[(*n)++] = va;
    return 0;
}

uint64_t *ucm_pte(struct ucm *m, uint64_t va, bool alloc)
{
    uint64_t *t = (uint64_t *)m->tables;
    for (int level = 3; level > 0; level--) {
        unsigned idx = (unsigned)(va >> (12 + 9 * level)) & 511;
        if (!(t[idx] & PTE_P)) {
            if (!alloc || m->ntables >= UCM_TABLE_PAGES)
                return NULL;
            uint32_t n = m->ntables++;
            memset(m->tables + (size_t)n * UCM_PAGE, 0, UCM_PAGE);
            t[idx] = (UCM_RSV_BASE + (uint64_t)n * UCM_PAGE) | PTE_TABLE;
        }
        t = (uint64_t *)(m->tables + ((t[idx] & PTE_ADDR) - UCM_RSV_BASE));
    }
    return &t[(va >> 12) & 511];
}

static void reset_tables(struct ucm *m)
{
    memset(m->tables, 0, UCM_PAGE);
    m->ntables = 1;
    *ucm_pte(m, UCM_STUB_VA, true) = PTE_LEAF | PTE_RW;
}

int ucm_init(struct uc_vcpu *v)
{
    struct ucm *m = &v->m;
    m->max_chunks = v->cfg.max_chunks ? v->cfg.max_chunks : 512;
    m->nslots = 16;
    while (m->nslots < 2 * (m->max_chunks + UCM_SLACK))
        m->nslots *= 2;
    m->chunks = calloc(m->nslots, sizeof(*m->chunks));
    m->tables = mmap(NULL, (size_t)UCM_TABLE_PAGES * UCM_PAGE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    m->stub = mmap(NULL, 2 * UCM_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m->tables == MAP_FAILED)
        m->tables = NULL;
    if (m->stub == MAP_FAILED)
        m->stub = NULL;
    if (!m->chunks || !m->tables || !m->stub)
        return -ENOMEM;
    for (uint32_t i = 0; i < m->nslots; i++)
        m->chunks[i].base = UINT64_MAX;
    m->code_page = UINT64_MAX;
    /* The stub: MOV CR3, RAX; HLT. Executing it is the only way Unicorn
     * 2.0.1 flushes its TLB short of remapping memory. */
    static const uint8_t stub[] = {0x0F, 0x22, 0xD8, 0xF4};
    memcpy(m->stub, stub, sizeof(stub));
    if (uc_mem_map_ptr(v->uc, UCM_RSV_BASE, (size_t)UCM_TABLE_PAGES * UCM_PAGE,
                       UC_PROT_READ | UC_PROT_WRITE, m->tables) ||
        uc_mem_map_ptr(v->uc, UCM_STUB_VA, 2 * UCM_PAGE, UC_PROT_ALL, m->stub))
        return -ENOMEM;
    reset_tables(m);
    return 0;
}

void ucm_fini(struct uc_vcpu *v)
{
    struct ucm *m = &v->m;
    for (uint32_t i = 0; m->chunks && i < m->nslots; i++) {
        struct ucm_chunk *c = &m->chunks[i];
        if (c->base == UINT64_MAX)
            continue;
        munmap(c->host, UCM_CHUNK);
        for (unsigned p = 0; p < UCM_CHUNK_PAGES; p++)
            free(c->pristine[p]);
    }
    free(m->chunks);
    free(m->present);
    free(m->dirty);
    if (m->tables)
        munmap(m->tables, (size_t)UCM_TABLE_PAGES * UCM_PAGE);
    if (m->stub)
        munmap(m->stub, 2 * UCM_PAGE);
}

bool ucm_map_window(struct uc_vcpu *v, uint64_t va)
{
    struct ucm *m = &v->m;
    uint64_t base = window_of(va);
    if (reserved(va))
        return false;
    if (chunk_find(m, base))
        return true;
    /* The soft limit is enforced between runs (ucm_prepare), where evicting
     * is safe; this is the hard one: room for what one run may touch. */
    if (m->nchunks >= m->max_chunks + UCM_SLACK) {
        uc_set_error(v, -ENOMEM, "more than %u windows of guest memory in one run",
                     m->max_chunks + UCM_SLACK);
        return false;
    }
    /* Unicorn's region end would wrap at the top of the address space. */
    size_t len = base == TOP_WINDOW ? UCM_CHUNK - UCM_PAGE : UCM_CHUNK;
    uint8_t *host = mmap(NULL, UCM_CHUNK, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED)
        return false;
    if (uc_mem_map_ptr(v->uc, base, len, UC_PROT_ALL, host)) {
        munmap(host, UCM_CHUNK);
        return false;
    }
    uint32_t i = slot_of(m, base);
    while (m->chunks[i].base != UINT64_MAX)
        i = (i + 1) & (m->nslots - 1);
    struct ucm_chunk *c = &m->chunks[i];
    memset(c, 0, sizeof(*c));
    c->base = base;
    c->host = host;
    c->len = len;
    c->used = v->run_no;
    m->nchunks++;
    return true;
}

/* Write the guest's changes of one writable page back to the model: only
 * the byte runs that differ from the pristine copy. The shadow PTE's dirty
 * bit says whether the page was written since the last write-back at an
 * event: Unicorn's walker sets it on the first write through a TLB entry
 * loaded while it was clear. Clearing it needs a TLB flush before the guest
 * runs again, so only between runs (at_exit). */
static int writeback_page(struct uc_vcpu *v, uint64_t va, bool at_exit)
{
    struct ucm_chunk *c = chunk_find(&v->m, va);
    unsigned idx = (unsigned)((va - c->base) >> 12);
    uint8_t *cur = c->host + (size_t)idx * UCM_PAGE, *old = c->pristine[idx];
    uint64_t *pte = ucm_pte(&v->m, va, false);
    if (pte && !(*pte & PTE_D))
        return 0;
    if (pte && at_exit) {
        *pte &= ~PTE_D;
        v->m.tlb_stale = true;
    }
    if (!memcmp(cur, old, UCM_PAGE))
        return 0;
    for (size_t off = 0; off < UCM_PAGE;) {
        if (!memcmp(cur + off, old + off, 64)) {
            off += 64;
            continue;
        }
        size_t s = off;
        while (off < UCM_PAGE && memcmp(cur + off, old + off, 64))
            off += 64;
        size_t e = off;
        while (cur[s] == old[s])
            s++;
        while (cur[e - 1] == old[e - 1])
            e--;
        struct hw_fault f = {0};
        if (v->mem.write(v->mem.ctx, va + s, cur + s, e - s, &f) != UC_VCPU_MEM_OK) {
            uc_set_error(v, -EIO, "write-back of %zu bytes at %#llx refused (fault %u)", e - s,
                         (unsigned long long)(va + s), f.kind);
            return -EIO;
        }
        memcpy(old + s, cur + s, e - s);
    }
    v->stats.writebacks++;
    return 0;
}

int ucm_writeback(struct uc_vcpu *v, bool at_exit)
{
    struct ucm *m = &v->m;
    if (!m->ndirty)
        return 0;
    bool ours = m->have_gen && v->mem.generation(v->mem.ctx) == m->gen_seen;
    for (uint32_t i = 0; i < m->ndirty; i++) {
        int rc = writeback_page(v, m->dirty[i], at_exit);
        if (rc)
            return rc;
    }
    /* Our own writes do not make the cache stale; anybody else's do. */
    if (ours)
        m->gen_seen = v->mem.generation(v->mem.ctx);
    return 0;
}

static void drop_present(struct ucm *m, uint64_t va)
{
    struct ucm_chunk *c = chunk_find(m, va);
    uint64_t *pte = ucm_pte(m, va, false);
    if (pte)
        *pte = 0;
    if (c)
        c->state[(va - c->base) >> 12] &= (uint8_t) ~(UCM_S_PRESENT | UCM_S_WRITABLE | UCM_S_FETCH);
}

int ucm_invalidate(struct uc_vcpu *v)
{
    struct ucm *m = &v->m;
    int rc = ucm_writeback(v, true);
    for (uint32_t i = 0; i < m->npresent; i++)
        drop_present(m, m->present[i]);
    if (m->npresent) {
        m->tlb_stale = true;
        ucb_new_epoch(v); /* fetch permissions are checked again */
    }
    m->npresent = 0;
    m->ndirty = 0;
    m->code_page = UINT64_MAX;
    return rc;
}

int ucm_tlb_flush(struct uc_vcpu *v)
{
    uint64_t rax = uc_get(v, UC_X86_REG_RAX), rip = uc_get(v, UC_X86_REG_RIP);
    uc_put(v, UC_X86_REG_RAX, UCM_RSV_BASE);
    uc_err e = uc_emu_start(v->uc, UCM_STUB_VA, UCM_UNTIL, 0, 0);
    uc_put(v, UC_X86_REG_RAX, rax);
    uc_put(v, UC_X86_REG_RIP, rip);
    v->m.tlb_stale = false;
    v->m.code_page = UINT64_MAX;
    v->stats.flushes++;
    if (e != UC_ERR_OK) {
        uc_set_error(v, -EIO, "TLB flush stub: %s", uc_strerror(e));
        return -EIO;
    }
    return 0;
}

/* Evict a window between runs: translated blocks of its pages go too,
 * because Unicorn does not drop them when memory is unmapped. */
static void evict(struct uc_vcpu *v, struct ucm_chunk *c)
{
    struct ucm *m = &v->m;
    for (unsigned p = 0; p < UCM_CHUNK_PAGES; p++) {
        uint64_t va = c->base + (uint64_t)p * UCM_PAGE;
        uint64_t *pte = ucm_pte(m, va, false);
        if ((c->state[p] & UCM_S_CODE) && pte) {
            *pte = PTE_LEAF;
            uc_ctl_remove_cache(v->uc, va, va + UCM_PAGE);
        }
        if (pte)
            *pte = 0;
        free(c->pristine[p]);
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < m->npresent; i++)
        if (window_of(m->present[i]) != c->base)
            m->present[w++] = m->present[i];
    m->npresent = w;
    w = 0;
    for (uint32_t i = 0; i < m->ndirty; i++)
        if (window_of(m->dirty[i]) != c->base)
            m->dirty[w++] = m->dirty[i];
    m->ndirty = w;
    uc_mem_unmap(v->uc, c->base, c->len);
    munmap(c->host, UCM_CHUNK);
    chunk_remove(m, c);
    m->tlb_stale = true;
    m->code_page = UINT64_MAX;
    ucb_new_epoch(v);
}

static void evict_oldest(struct uc_vcpu *v)
{
    struct ucm *m = &v->m;
    while (m->nchunks > m->max_chunks) {
        struct ucm_chunk *old = NULL;
        for (uint32_t i = 0; i < m->nslots; i++) {
            struct ucm_chunk *c = &m->chunks[i];
            if (c->base != UINT64_MAX && (!old || c->used < old->used))
                old = c;
        }
        evict(v, old);
    }
}

int ucm_prepare(struct uc_vcpu *v)
{
    struct ucm *m = &v->m;
    int rc = 0;
    v->run_no++;
    /* The window the guest resumes in is the last one to go. */
    struct ucm_chunk *cur = chunk_find(m, uc_get(v, UC_X86_REG_RIP));
    if (cur)
        cur->used = v->run_no;
    if (m->nchunks > m->max_chunks) {
        rc = ucm_writeback(v, true);
        if (rc)
            return rc;
        evict_oldest(v);
    }
    bool stale = m->need_reval || !m->have_gen ||
                 (v->mem.generation && v->mem.generation(v->mem.ctx) != m->gen_seen);
    if (stale && m->npresent)
        rc = ucm_invalidate(v);
    if (stale && v->mem.generation) {
        m->gen_seen = v->mem.generation(v->mem.ctx);
        m->have_gen = true;
    }
    m->need_reval = false;
    if (m->ntables >= UCM_TABLE_PAGES - 4) {
        /* Out of shadow table pages: start over (pages refill on access). */
        int r2 = ucm_invalidate(v);
        rc = rc ? rc : r2;
        reset_tables(m);
        m->tlb_stale = true;
    }
    if (!rc && m->tlb_stale)
        rc = ucm_tlb_flush(v);
    return rc;
}

/* Read page va from the model into the window. A page seen before is
 * compared: new bytes replace the old ones and drop translated blocks. */
static int fill(struct uc_vcpu *v, struct ucm_chunk *c, unsigned idx, uint64_t va,
                enum hw_access acc, struct hw_fault *f, bool *changed)
{
    struct ucm *m = &v->m;
    int rc = ucm_writeback(v, false);
    if (rc)
        return rc;
    uint8_t *dst = c->host + (size_t)idx * UCM_PAGE;
    bool refill = c->state[idx] & UCM_S_FILLED;
    memset(f, 0, sizeof(*f));
    rc = v->mem.read(v->mem.ctx, va, refill ? m->scratch : dst, UCM_PAGE, acc, f);
    if (rc == UC_VCPU_MEM_FAULT || rc == UC_VCPU_MEM_MMIO)
        return rc;
    if (rc != UC_VCPU_MEM_OK) {
        uc_set_error(v, -EIO, "model read of %#llx returned %d", (unsigned long long)va, rc);
        return -EIO;
    }
    v->stats.fills++;
    *changed = false;
    if (refill) {
        v->stats.refills++;
        if (memcmp(dst, m->scratch, UCM_PAGE)) {
            memcpy(dst, m->scratch, UCM_PAGE);
            *changed = true;
            v->stats.changed++;
        }
    }
    c->state[idx] = (uint8_t)((c->state[idx] & UCM_S_CODE) | UCM_S_FILLED |
                              (acc == HW_ACC_FETCH ? UCM_S_FETCH : 0));
    c->used = v->run_no;
    return 0;
}

/* First write to a clean page: the model checks write permission (and sets
 * the dirty bit); the page keeps a pristine copy for the write-back. */
static int upgrade(struct uc_vcpu *v, struct ucm_chunk *c, unsigned idx, uint64_t va, uint64_t *pte,
                   struct hw_fault *f)
{
    uint8_t b;
    memset(f, 0, sizeof(*f));
    int rc = v->mem.read(v->mem.ctx, va, &b, 1, HW_ACC_WRITE, f);
    if (rc != UC_VCPU_MEM_OK)
        return rc == UC_VCPU_MEM_FAULT || rc == UC_VCPU_MEM_MMIO ? rc : -EIO;
    if (!c->pristine[idx] && !(c->pristine[idx] = malloc(UCM_PAGE)))
        return -ENOMEM;
    if (push(&v->m.dirty, &v->m.ndirty, &v->m.cap_dirty, va))
        return -ENOMEM;
    memcpy(c->pristine[idx], c->host + (size_t)idx * UCM_PAGE, UCM_PAGE);
    c->state[idx] |= UCM_S_WRITABLE;
    *pte |= PTE_RW;
    /* Code that may now be rewritten: its blocks are scanned again (and,
     * on a writable page, hooked instruction by instruction). */
    if (c->state[idx] & UCM_S_CODE)
        ucb_new_epoch(v);
    v->stats.upgrades++;
    return 0;
}

int ucm_fault(struct uc_vcpu *v, uint64_t cr2, uint64_t rip, struct hw_fault *f)
{
    struct ucm *m = &v->m;
    uint64_t va = cr2 & UCM_PAGE_MASK;
    if (reserved(va))
        return -EFAULT;
    struct ucm_chunk *c = chunk_find(m, va);
    if (!c && !(ucm_map_window(v, va) && (c = chunk_find(m, va))))
        return -ENOMEM;
    unsigned idx = (unsigned)((va - c->base) >> 12);
    uint64_t *pte = ucm_pte(m, va, true);
    if (!pte)
        return -ENOSPC;
    if (!(c->state[idx] & UCM_S_PRESENT)) {
        /* The error code is not needed: a fault on the page RIP is on is
         * the fetch of the instruction; anything else is checked as a
         * read now, and a write faults again on the read-only page. */
        enum hw_access acc = va == (rip & UCM_PAGE_MASK) ? HW_ACC_FETCH : HW_ACC_READ;
        bool changed = false;
        int rc = fill(v, c, idx, va, acc, f, &changed);
        if (rc)
            return rc;
        if (push(&m->present, &m->npresent, &m->cap_present, va))
            return -ENOMEM;
        c->state[idx] |= UCM_S_PRESENT;
        *pte = PTE_LEAF;
        for (unsigned i = 0; i < m->nmmio; i++)
            if (m->mmio[i].va == va)
                return 3; /* it was MMIO: the region goes back first */
        /* Unicorn keeps translated code across our page changes (writing
         * memory through the API does not drop it either). */
        if (changed && (c->state[idx] & UCM_S_CODE)) {
            uc_ctl_remove_cache(v->uc, va, va + UCM_PAGE);
            ucb_new_epoch(v);
        }
        return 0;
    }
    if (!(c->state[idx] & UCM_S_WRITABLE))
        return upgrade(v, c, idx, va, pte, f);
    uc_set_error(v, -EIO, "#PF at %#llx on a present writable page", (unsigned long long)cr2);
    return -EIO;
}

uint8_t *ucm_host(struct uc_vcpu *v, uint64_t va)
{
    struct ucm_chunk *c = chunk_find(&v->m, va);
    return c ? c->host + (va - c->base) : NULL;
}

/* The page of an instruction, checked for instruction fetch. */
static const uint8_t *code_page(struct uc_vcpu *v, uint64_t page, struct hw_fault *f, int *rc)
{
    struct ucm *m = &v->m;
    struct ucm_chunk *c = chunk_find(m, page);
    unsigned idx = c ? (unsigned)((page - c->base) >> 12) : 0;
    *rc = -EIO;
    if (!c || !(c->state[idx] & UCM_S_PRESENT)) {
        uc_set_error(v, -EIO, "executing %#llx, which is not cached", (unsigned long long)page);
        return NULL;
    }
    const uint8_t *host = c->host + (size_t)idx * UCM_PAGE;
    if (!(c->state[idx] & UCM_S_FETCH)) {
        memset(f, 0, sizeof(*f));
        int r = v->mem.read(v->mem.ctx, page, m->scratch, UCM_PAGE, HW_ACC_FETCH, f);
        if (r == UC_VCPU_MEM_FAULT) {
            *rc = 1;
            return NULL;
        }
        if (r != UC_VCPU_MEM_OK || memcmp(m->scratch, host, UCM_PAGE)) {
            uc_set_error(v, -EIO, "page %#llx reads differently as code and as data",
                         (unsigned long long)page);
            return NULL;
        }
        c->state[idx] |= UCM_S_FETCH;
    }
    c->state[idx] |= UCM_S_CODE;
    m->code_page = page;
    m->code_ptr = host;
    return host;
}

int ucm_code(struct uc_vcpu *v, uint64_t va, uint8_t *buf, size_t want, struct hw_fault *f)
{
    size_t got = 0;
    while (got < want) {
        uint64_t a = va + got, page = a & UCM_PAGE_MASK;
        const uint8_t *p = page == v->m.code_page ? v->m.code_ptr : NULL;
        int rc = 0;
        if (!p && !(p = code_page(v, page, f, &rc)))
            return got ? (int)got : (rc == 1 ? 0 : rc);
        size_t n = UCM_PAGE - (a & (UCM_PAGE - 1));
        if (n > want - got)
            n = want - got;
        memcpy(buf + got, p + (a & (UCM_PAGE - 1)), n);
        got += n;
    }
    return (int)got;
}

int ucm_read(struct uc_vcpu *v, uint64_t gva, void *buf, size_t len, enum hw_access acc,
             struct hw_fault *f)
{
    uint8_t *out = buf;
    while (len) {
        size_t n = UCM_PAGE - (gva & (UCM_PAGE - 1));
        if (n > len)
            n = len;
        struct ucm_chunk *c = chunk_find(&v->m, gva);
        unsigned idx = c ? (unsigned)((gva - c->base) >> 12) : 0;
        if (c && (c->state[idx] & UCM_S_PRESENT) && acc != HW_ACC_WRITE) {
            memcpy(out, c->host + (gva - c->base), n);
        } else {
            memset(f, 0, sizeof(*f));
            int rc = v->mem.read(v->mem.ctx, gva, out, n, acc, f);
            if (rc)
                return rc;
        }
        gva += n;
        out += n;
        len -= n;
    }
    return 0;
}

int ucm_write(struct uc_vcpu *v, uint64_t gva, const void *buf, size_t len, struct hw_fault *f)
{
    const uint8_t *in = buf;
    while (len) {
        size_t n = UCM_PAGE - (gva & (UCM_PAGE - 1));
        if (n > len)
            n = len;
        struct ucm_chunk *c = chunk_find(&v->m, gva);
        unsigned idx = c ? (unsigned)((gva - c->base) >> 12) : 0;
        if (c && (c->state[idx] & UCM_S_PRESENT)) {
            uint64_t page = gva & UCM_PAGE_MASK;
            if (!(c->state[idx] & UCM_S_WRITABLE)) {
                int rc = upgrade(v, c, idx, page, ucm_pte(&v->m, page, true), f);
                if (rc)
                    return rc;
            }
            memcpy(c->host + (gva - c->base), in, n);
            /* Dirty, as if the guest had written it: the write-back skips
             * pages whose shadow dirty bit is clear, and this write (an
             * exception frame, IN data) did not go through Unicorn's walker
             * to set it. */
            uint64_t *pte = ucm_pte(&v->m, page, false);
            if (pte)
                *pte |= PTE_D;
            /* Written behind Unicorn's back: drop code translated from it. */
            if (c->state[idx] & UCM_S_CODE) {
                uc_ctl_remove_cache(v->uc, page, page + UCM_PAGE);
                ucb_new_epoch(v);
            }
        } else {
            memset(f, 0, sizeof(*f));
            int rc = v->mem.write(v->mem.ctx, gva, in, n, f);
            if (rc)
                return rc;
        }
        gva += n;
        in += n;
        len -= n;
    }
    return 0;
}
